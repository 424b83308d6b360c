"""Tests of misinfo.report and the `misinfo report` command (on hand-written scored files: no model)."""
from __future__ import annotations

import math
import unicodedata

import pytest
from click.testing import CliRunner

from conftest import cp1258_bytes
from misinfo.cli import cli
from misinfo.report import GroupSummary, format_table, plot, summarise

HEADER = "site,time,text,misinformation,sensational,flagged,reasons,model_version,error\n"
ROWS = [
    # site, time (ISO, Unix seconds or junk), scores, flagged, error
    "a,2024-01-01T23:30:00+07:00,x,0.9,0.2,true,,v,",
    "a,1704153600,y,0.1,0.3,false,,v,",          # 2024-01-02 07:00 in Vietnam
    "a,2024-02-03,z,0.2,0.8,true,,v,",
    "b,2024-01-01T17:30:00Z,x,0.1,0.1,false,,v,",  # 2024-01-02 00:30 in Vietnam
    "b,,y,,,,,,line 5: the row has 1 fields",
    "b,hôm qua,z,0.3,0.5,false,,v,",
]


@pytest.fixture
def scored(tmp_path):
    path = tmp_path / "scored.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def test_by_source(scored):
    out = summarise(scored, by="site")
    assert [(s.group, s.rows, s.failed, s.flagged) for s in out] == [("a", 3, 0, 2), ("b", 3, 1, 0)]
    a, b = out
    assert a.share_flagged == pytest.approx(2 / 3) and a.mean_misinformation == pytest.approx(0.4)
    assert b.share_flagged == 0 and b.mean_sensational == pytest.approx(0.3)  # failed rows excluded


def test_by_source_and_period(scored):
    days = summarise(scored, by="site", period="day", time_column="time")
    assert [(s.group, s.period, s.rows) for s in days] == [
        ("a", "2024-01-01", 1), ("a", "2024-01-02", 1), ("a", "2024-02-03", 1),
        ("b", "2024-01-02", 1), ("b", "unknown", 2)]
    months = summarise(scored, period="month", time_column="time")
    assert [(s.group, s.period, s.rows) for s in months] == [
        (None, "2024-01", 3), (None, "2024-02", 1), (None, "unknown", 2)]
    weeks = summarise(scored, by="site", period="week", time_column="time")
    assert weeks[0].period == "2024-W01"


def test_a_group_with_no_scored_row_has_nan_means(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(HEADER + "c,,x,,,,,,undecodable bytes\n", encoding="utf-8")
    (only,) = summarise(path, by="site")
    assert only.rows == 1 and only.failed == 1 and math.isnan(only.share_flagged)
    assert "-" in format_table([only], by="site").splitlines()[1]


def test_errors_are_clear(scored, tmp_path):
    with pytest.raises(ValueError, match="columns found"):
        summarise(scored, by="source")
    with pytest.raises(ValueError, match="time_column"):
        summarise(scored, period="day")
    with pytest.raises(ValueError, match="period"):
        summarise(scored, period="year", time_column="time")
    unscored = tmp_path / "raw.csv"
    unscored.write_text("site,text\na,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="misinformation"):
        summarise(unscored)


def test_a_file_in_another_encoding_is_refused_not_summarised_garbled(scored, tmp_path):
    legacy = tmp_path / "cp1258.csv"
    legacy.write_bytes(cp1258_bytes(HEADER + "Điện lực,1704153600,x,0.9,0.2,true,,v,\n"))
    with pytest.raises(ValueError, match="line 2 has bytes that are not utf-8 text; give the file's encoding"):
        summarise(legacy, by="site")
    groups = [unicodedata.normalize("NFC", s.group) for s in summarise(legacy, by="site", encoding="cp1258")]
    assert groups == ["Điện lực"]


def test_a_short_row_of_a_file_misinfo_did_not_write_counts_as_unscored(tmp_path):
    short = tmp_path / "short.csv"
    short.write_text("src,misinformation,sensational,error,flagged\na,0.9,0.1,,true\nb,0.2,0.3,\n", encoding="utf-8")
    rows = {s.group: (s.rows, s.failed, s.flagged) for s in summarise(short, by="src")}
    assert rows == {"a": (1, 0, 1), "b": (1, 1, 0)}


def test_format_table(scored):
    lines = format_table(summarise(scored, by="site"), by="site").splitlines()
    assert lines[0].split() == ["site", "rows", "failed", "flagged", "share_flagged", "mean_misinformation",
                                "mean_sensational"]
    assert lines[1].split() == ["a", "3", "0", "2", "0.667", "0.400", "0.433"]


def test_plot(scored, tmp_path):
    summaries = summarise(scored, by="site", period="month", time_column="time")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install 'misinfo\\[plot\\]'"):
            plot(summaries, tmp_path / "p.png")
        return
    plot(summaries, tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")
    no_times = [GroupSummary("a", "unknown", 3, 0, 1, 0.3, 0.2, 0.1)]
    with pytest.raises(ValueError, match="no row has a readable publication time"):
        plot(no_times, tmp_path / "empty.png")


def test_cli_report(scored, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["report", str(scored), "--by", "site", "--period", "month", "--time-column", "time"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split()[:3] == ["site", "period", "rows"]
    assert len(result.stdout.splitlines()) == 1 + 4
    usage = runner.invoke(cli, ["report", str(scored), "--period", "day"])
    assert usage.exit_code == 2 and "--time-column" in usage.stderr
    missing = runner.invoke(cli, ["report", str(scored), "--by", "page"])
    assert missing.exit_code == 1 and "columns found" in missing.stderr


def test_summary_is_plain_data(scored):
    (first, *_) = summarise(scored, by="site")
    assert isinstance(first, GroupSummary) and isinstance(first.rows, int) and isinstance(first.share_flagged, float)
