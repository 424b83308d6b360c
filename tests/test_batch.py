"""Tests of misinfo.batch and the `misinfo score` command, on generated nasty CSV fixtures.

Set MISINFO_TEST_MODEL to a model directory to test with another model than the default.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

import misinfo.batch as batch
from misinfo.batch import OUTPUT_COLUMNS, score_csv
from misinfo.metadata import parse_count, parse_time
from misinfo.cli import cli
from misinfo.model import load_model

MODEL = os.environ.get("MISINFO_TEST_MODEL") or None
MODEL_ARGS = ["--model", MODEL] if MODEL else []

TEXTS = [
    "SỐC!!! Sự thật gây choáng phía sau bức ảnh khiến dân mạng xôn xao",
    "Quốc hội thông qua Luật Đất đai sửa đổi với đa số đại biểu tán thành",
    "Chia sẻ ngay: uống nước chanh nóng diệt virus, cảnh báo khẩn cho mọi người!!!",
    "Thủ tướng chủ trì hội nghị trực tuyến về phát triển kinh tế xã hội",
    "Bất ngờ với lý do khiến cô gái bật khóc, ai cũng ngỡ ngàng",
    "Giá xăng giảm 500 đồng mỗi lít từ 15 giờ chiều nay",
    "Hoà bình, thuỷ điện và những điều chưa kể",  # old tone-mark style
    "",  # empty text is scored, not failed
]


def rows_of(n: int) -> list[list[str]]:
    return [[str(i), TEXTS[i % len(TEXTS)] + ("" if i < len(TEXTS) else f" số {i}"), str(i * 3)] for i in range(n)]


def write_csv(path: Path, header, rows, *, encoding="utf-8", delimiter=",", newline="\n", bom=False) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows([header, *rows])
    data = buf.getvalue()
    raw = data.encode(encoding)
    if bom and encoding == "utf-8":
        raw = b"\xef\xbb\xbf" + raw
    path.write_bytes(raw)
    return path


def read_out(path: Path, delimiter=",") -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def run(inp, out, **kw) -> batch.BatchResult:
    options = dict(text_column="text", model=MODEL, jobs=1, quiet=True, chunk_size=5)
    options.update(kw)
    return score_csv(inp, out, **options)


@pytest.fixture(scope="module")
def model():
    return load_model(MODEL)


@pytest.fixture
def plain(tmp_path):
    return write_csv(tmp_path / "in.csv", ["id", "text", "likes"], rows_of(13))


def test_output_keeps_every_column_and_row_in_order(tmp_path, plain, model):
    result = run(plain, tmp_path / "out.csv")
    out = read_out(tmp_path / "out.csv")
    inp = read_out(plain)
    assert result == batch.BatchResult(rows=13, failed=0, written=13, output=str(tmp_path / "out.csv"))
    assert out[0] == inp[0] + list(OUTPUT_COLUMNS)
    assert [r[:3] for r in out] == inp
    for row in out[1:]:
        mis, sen, flagged, reasons, version, error = row[3:]
        assert 0 <= float(mis) <= 1 and 0 <= float(sen) <= 1
        assert flagged in ("true", "false") and version == model.version and error == ""
    # the scores are the core's scores
    for row in out[1:9]:
        expected = model.score(row[1])
        assert (float(row[3]), float(row[4]), row[5] == "true") == (
            expected.misinformation, expected.sensational, expected.flagged)
        assert row[6] == " | ".join(expected.reasons)
    assert not list(tmp_path.glob(".*"))  # no temporary or progress file left behind


def test_metadata_columns_reach_the_model(tmp_path, model):
    header = ["text", "title", "likes", "comments", "shares", "time"]
    rows = [[TEXTS[2], "Tin nóng!!!", "1,234", "12", "3.5K", "2020-03-12T15:00:00+07:00"],
            [TEXTS[2], "Tin nóng!!!", "1234", "12", "3500", "1584000000"],
            [TEXTS[1], "", "", "", "", ""]]
    inp = write_csv(tmp_path / "in.csv", header, rows)
    run(inp, tmp_path / "out.csv", title_column="title", likes_column="likes", comments_column="comments",
        shares_column="shares", time_column="time")
    out = read_out(tmp_path / "out.csv")[1:]
    first = model.score(TEXTS[2], title="Tin nóng!!!", likes=1234, comments=12, shares=3500, published=1584000000)
    assert (float(out[0][6]), float(out[0][7])) == (first.misinformation, first.sensational)
    assert (float(out[1][6]), float(out[1][7])) == (first.misinformation, first.sensational)
    third = model.score(TEXTS[1], title="")
    assert float(out[2][6]) == third.misinformation


def test_bad_metadata_is_unknown_with_a_note(tmp_path, model):
    inp = write_csv(tmp_path / "in.csv", ["text", "likes", "time"],
                    [[TEXTS[0], "abc", "hôm qua"], [TEXTS[0], "-5", ""], [TEXTS[0], "", ""]])
    result = run(inp, tmp_path / "out.csv", likes_column="likes", time_column="time")
    out = read_out(tmp_path / "out.csv")[1:]
    assert result.failed == 0
    assert "likes 'abc' unreadable" in out[0][6] and "published 'hôm qua' unreadable" in out[0][6]
    assert "likes '-5' unreadable" in out[1][6]
    # unknown metadata scores as no metadata
    assert out[0][3:6] == out[1][3:6] == out[2][3:6]


@pytest.mark.parametrize("encoding, bom, newline", [
    ("utf-8", False, "\n"), ("utf-8", True, "\r\n"), ("utf-16", False, "\r\n"), ("utf-16-le", False, "\n")])
def test_encodings_bom_and_line_ends(tmp_path, plain, encoding, bom, newline):
    reference = tmp_path / "ref.csv"
    run(plain, reference)
    header, *rows = read_out(plain)
    inp = write_csv(tmp_path / "enc.csv", header, rows, encoding=encoding, bom=bom, newline=newline)
    given = encoding if encoding == "utf-16-le" else None  # no BOM: the encoding must be given
    run(inp, tmp_path / "out.csv", encoding=given)
    assert read_out(tmp_path / "out.csv") == read_out(reference)
    starts_with_bom = (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert starts_with_bom == (bom or encoding == "utf-16")  # Excel inputs get a BOM back


def test_utf16_without_bom_asks_for_the_encoding(tmp_path, plain):
    header, *rows = read_out(plain)
    inp = write_csv(tmp_path / "in.csv", header, rows, encoding="utf-16-le")
    with pytest.raises(ValueError, match="without a byte-order mark"):
        run(inp, tmp_path / "out.csv")


def _cp1258(text: str) -> str:
    """Windows-1258 spelling: base letters with shape marks, tone marks combining."""
    out = []
    for ch in text:
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)) + tones)
    return "".join(out)


def test_windows_1258_and_nfd_are_normalised(tmp_path, plain):
    reference = tmp_path / "ref.csv"
    run(plain, reference)
    header, *rows = read_out(plain)
    legacy = [[a, _cp1258(b), c] for a, b, c in rows]
    inp = write_csv(tmp_path / "in.csv", header, legacy, encoding="cp1258")
    run(inp, tmp_path / "out.csv", encoding="cp1258")
    out, ref = read_out(tmp_path / "out.csv"), read_out(reference)
    assert [r[3:] for r in out] == [r[3:] for r in ref]  # same scores as the NFC text
    assert [unicodedata.normalize("NFC", r[1]) for r in out] == [r[1] for r in ref]
    assert [r[1] for r in out[1:]] == [r[1] for r in legacy]  # the cell itself is written unchanged
    # Read as UTF-8 (the default), the same bytes fail row by row with a hint, never crash.
    result = run(inp, tmp_path / "wrong.csv")
    assert result.failed > 0 and "encoding" in read_out(tmp_path / "wrong.csv")[1][-1]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path, plain, delimiter):
    header, *rows = read_out(plain)
    rows = [[a, b + ", có dấu phẩy; và chấm phẩy", c] for a, b, c in rows]
    inp = write_csv(tmp_path / "in.csv", header, rows, delimiter=delimiter)
    run(inp, tmp_path / "out.csv")
    out = read_out(tmp_path / "out.csv", delimiter)  # the output keeps the input's delimiter
    assert [r[:3] for r in out] == [header, *rows]
    assert all(r[-1] == "" for r in out[1:])
    run(inp, tmp_path / "given.csv", delimiter="\\t" if delimiter == "\t" else delimiter)
    assert (tmp_path / "given.csv").read_bytes() == (tmp_path / "out.csv").read_bytes()


def test_quoted_multiline_fields_and_crlf(tmp_path, model):
    text = 'Dòng đầu, có "ngoặc kép"\r\nDòng hai; còn nữa\nDòng ba'
    inp = write_csv(tmp_path / "in.csv", ["id", "text"], [["1", text], ["2", TEXTS[0]]], newline="\r\n")
    run(inp, tmp_path / "out.csv")
    out = read_out(tmp_path / "out.csv")
    assert [r[:2] for r in out[1:]] == [["1", text], ["2", TEXTS[0]]]
    assert float(out[1][2]) == model.score(text).misinformation


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        run(empty, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,text\r\n", encoding="utf-8")
    result = run(header_only, tmp_path / "out.csv")
    assert result.rows == 0 and result.failed == 0
    assert read_out(tmp_path / "out.csv") == [["id", "text", *OUTPUT_COLUMNS]]


def test_missing_column_lists_columns_and_creates_nothing(tmp_path, plain):
    with pytest.raises(ValueError, match=r"'body'.*columns found: \['id', 'text', 'likes'\]"):
        run(plain, tmp_path / "out.csv", text_column="body")
    with pytest.raises(ValueError, match="columns found"):
        run(plain, tmp_path / "out.csv", likes_column="like_count")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_bad_bytes_fail_only_their_row(tmp_path):
    good = [f"{i},\"{TEXTS[i % 6]}\"\n".encode() for i in range(8)]
    good[3] = b"3,Tin \xff\xfe h\xe1ng x\xf3m\n"
    (tmp_path / "in.csv").write_bytes(b"id,text\n" + b"".join(good))
    result = run(tmp_path / "in.csv", tmp_path / "out.csv")
    assert (result.rows, result.failed) == (8, 1)
    raw = (tmp_path / "out.csv").read_bytes()
    raw.decode("utf-8")  # the output is valid UTF-8
    out = read_out(tmp_path / "out.csv")[1:]
    assert [r[0] for r in out] == [str(i) for i in range(8)]
    assert "undecodable bytes" in out[3][-1] and out[3][2] == "" and "\ufffd" in out[3][1]
    assert all(r[-1] == "" and r[2] for i, r in enumerate(out) if i != 3)


def test_short_and_long_rows_are_kept_with_an_error(tmp_path):
    (tmp_path / "in.csv").write_text(
        f"id,text,likes\n1,{TEXTS[1]},3\n2\n3,{TEXTS[0]},4,extra,cells\n4,{TEXTS[3]},5\n", encoding="utf-8")
    result = run(tmp_path / "in.csv", tmp_path / "out.csv")
    out = read_out(tmp_path / "out.csv")
    assert (result.rows, result.failed) == (4, 2)
    assert all(len(r) == 3 + len(OUTPUT_COLUMNS) for r in out)
    assert out[2][:3] == ["2", "", ""] and "1 fields but the header has 3" in out[2][-1]
    assert out[3][:3] == ["3", TEXTS[0], "4"] and "'extra', 'cells'" in out[3][-1]
    assert out[1][-1] == out[4][-1] == ""


def test_huge_cell_is_read_and_truncated(tmp_path):
    huge = ("Sự thật gây sốc về thủy điện. " * 70_000)[:2_000_000]  # well over csv's default limit
    inp = write_csv(tmp_path / "in.csv", ["id", "text"], [["1", huge], ["2", TEXTS[1]]])
    result = run(inp, tmp_path / "out.csv")
    assert csv.field_size_limit() == 131072  # the process-wide limit is restored
    csv.field_size_limit(10**7)
    try:
        out = read_out(tmp_path / "out.csv")
    finally:
        csv.field_size_limit(131072)
    assert result.failed == 0 and out[1][1] == huge
    assert "truncated" in out[1][OUTPUT_COLUMNS.index("reasons") + 2]
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="is empty"):  # restored when the input fails to open, too
        run(tmp_path / "empty.csv", tmp_path / "out2.csv")
    assert csv.field_size_limit() == 131072
    # inputs open at once (threads): the limit stays raised until the last one closes
    from misinfo.batch import FIELD_SIZE_LIMIT, _Input

    first = _Input(inp, None, None, "text")
    with _Input(inp, None, None, "text") as second:
        first.close()
        assert csv.field_size_limit() == FIELD_SIZE_LIMIT
        assert [len(fields[1]) for _, fields in second.records()] == [len(huge), len(TEXTS[1])]
    assert csv.field_size_limit() == 131072


def test_duplicate_header_names_are_preserved(tmp_path):
    inp = write_csv(tmp_path / "in.csv", ["note", "text", "note"], [["a", TEXTS[0], "b"], ["c", TEXTS[1], "d"]])
    run(inp, tmp_path / "out.csv")
    out = read_out(tmp_path / "out.csv")
    assert out[0] == ["note", "text", "note", *OUTPUT_COLUMNS]
    assert [r[:3] for r in out[1:]] == [["a", TEXTS[0], "b"], ["c", TEXTS[1], "d"]]
    with pytest.raises(ValueError, match="names 2 columns"):
        run(inp, tmp_path / "x.csv", text_column="note")


def test_equal_rows_are_scored_once(tmp_path, monkeypatch):
    scored = []
    real = batch._score_items

    def counting(model, items, thresholds):
        scored.extend(items)
        return real(model, items, thresholds)

    monkeypatch.setattr(batch, "_score_items", counting)
    rows = [[str(i), TEXTS[i % 3], "7"] for i in range(20)]  # 3 distinct texts over 4 chunks
    inp = write_csv(tmp_path / "in.csv", ["id", "text", "likes"], rows)
    run(inp, tmp_path / "out.csv", likes_column="likes")
    assert len(scored) == 3
    out = read_out(tmp_path / "out.csv")[1:]
    assert [r[0] for r in out] == [str(i) for i in range(20)]
    assert all(r[3:] == out[i % 3][3:] for i, r in enumerate(out))


def test_jobs_do_not_change_the_output(tmp_path, plain):
    rows = rows_of(23)
    rows += [rows[2], rows[5]]
    inp = write_csv(tmp_path / "in.csv", ["id", "text", "likes"], rows)
    run(inp, tmp_path / "one.csv", jobs=1, likes_column="likes")
    run(inp, tmp_path / "two.csv", jobs=2, likes_column="likes")
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_only_flagged_and_sort(tmp_path, plain, monkeypatch):
    run(plain, tmp_path / "all.csv")
    full = read_out(tmp_path / "all.csv")[1:]
    run(plain, tmp_path / "flagged.csv", only_flagged=True)
    assert read_out(tmp_path / "flagged.csv")[1:] == [r for r in full if r[5] == "true"]
    run(plain, tmp_path / "sorted.csv", sort=True)
    ranked = read_out(tmp_path / "sorted.csv")[1:]
    assert sorted(ranked) == sorted(full)
    keys = [max(float(r[3]), float(r[4])) for r in ranked]
    assert keys == sorted(keys, reverse=True)
    assert ranked == sorted(full, key=lambda r: -max(float(r[3]), float(r[4])))  # stable
    monkeypatch.setattr(batch, "SORT_RUN_ROWS", 3)  # force the on-disk merge
    run(plain, tmp_path / "merged.csv", sort=True)
    assert (tmp_path / "merged.csv").read_bytes() == (tmp_path / "sorted.csv").read_bytes()


THRESHOLDS = {"sensational": 0.5}


def test_failure_leaves_no_output_and_resume_completes(tmp_path, plain, monkeypatch):
    run(plain, tmp_path / "reference.csv", thresholds=THRESHOLDS)
    real = batch._score_items
    calls = []

    def crash_on_third_chunk(model, items, thresholds):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("simulated crash")
        return real(model, items, thresholds)

    monkeypatch.setattr(batch, "_score_items", crash_on_third_chunk)
    out = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        run(plain, out, thresholds=THRESHOLDS)
    assert not out.exists()
    state = json.loads((tmp_path / ".out.csv.part.json").read_text(encoding="utf-8"))
    assert state["rows"] == 10
    monkeypatch.setattr(batch, "_score_items", real)
    with pytest.raises(ValueError, match="other options"):
        run(plain, out, resume=True, thresholds={"sensational": 0.6})
    result = run(plain, out, resume=True, thresholds=THRESHOLDS)
    assert result.rows == 13
    assert out.read_bytes() == (tmp_path / "reference.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv", "reference.csv"]


def test_kill_and_resume_gives_the_same_file(tmp_path):
    rows = [[str(i), f"{TEXTS[i % 7]} (bản tin {i})", str(i)] for i in range(40)]
    inp = write_csv(tmp_path / "in.csv", ["id", "text", "likes"], rows)
    reference = tmp_path / "reference.csv"
    run(inp, reference, likes_column="likes")
    out = tmp_path / "out.csv"
    state_file = tmp_path / ".out.csv.part.json"
    args = ["score", str(inp), "-o", str(out), "--text-column", "text", "--likes-column", "likes",
            "--chunk-size", "5", "--jobs", "1", "--quiet", *MODEL_ARGS]
    slow = ("import sys, time\nimport misinfo.batch as b\nreal = b._score_items\n"
            "def slow(*a):\n    time.sleep(0.4)\n    return real(*a)\n"
            "b._score_items = slow\nfrom misinfo.cli import main\nmain(sys.argv[1:])\n")
    proc = subprocess.Popen([sys.executable, "-c", slow, *args], cwd=tmp_path)  # not the source tree
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if state_file.exists() and json.loads(state_file.read_text(encoding="utf-8"))["rows"] >= 5:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    done = json.loads(state_file.read_text(encoding="utf-8"))["rows"]
    assert 5 <= done < 40, "the run should be killed after its first chunk"
    assert not out.exists()  # never a half-written OUTPUT
    resumed = subprocess.run([sys.executable, "-m", "misinfo", *args, "--resume"], cwd=tmp_path,
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert not state_file.exists()


def test_stdin_and_stdout(tmp_path, plain):
    run(plain, tmp_path / "ref.csv")
    result = CliRunner().invoke(cli, ["score", "-", "-o", "-", "--text-column", "text", "--jobs", "1",
                                      "--chunk-size", "5", *MODEL_ARGS], input=plain.read_bytes())
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (tmp_path / "ref.csv").read_bytes()
    sorted_out = CliRunner().invoke(cli, ["score", "-", "-o", "-", "--text-column", "text", "--jobs", "1", "--sort",
                                          *MODEL_ARGS], input=plain.read_bytes())
    assert sorted_out.exit_code == 0
    run(plain, tmp_path / "sorted.csv", sort=True)
    assert sorted_out.stdout_bytes == (tmp_path / "sorted.csv").read_bytes()
    with pytest.raises(ValueError, match="resume"):
        run(plain, "-", resume=True)


def test_cli_exit_status(tmp_path, plain):
    runner = CliRunner()
    ok = runner.invoke(cli, ["score", str(plain), "-o", str(tmp_path / "ok.csv"), "--text-column", "text",
                             "--likes-column", "likes", "--jobs", "1", "--threshold-sensational", "0.5", *MODEL_ARGS])
    assert ok.exit_code == 0, ok.output
    assert len(read_out(tmp_path / "ok.csv")) == 14
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,text\n1,ok\n2\n3,b\xe1d\n")
    failed = runner.invoke(cli, ["score", str(bad), "-o", str(tmp_path / "bad.out.csv"), "--text-column", "text",
                                 "--jobs", "1", *MODEL_ARGS])
    assert failed.exit_code == 3 and "2 rows failed" in failed.stderr
    missing = runner.invoke(cli, ["score", str(plain), "-o", str(tmp_path / "none.csv"), "--text-column", "body",
                                  *MODEL_ARGS])
    assert missing.exit_code == 1 and "columns found" in missing.stderr
    assert not (tmp_path / "none.csv").exists()
    nofile = runner.invoke(cli, ["score", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "x.csv"),
                                 "--text-column", "text", *MODEL_ARGS])
    assert nofile.exit_code == 1 and "nope.csv" in nofile.stderr


def test_options_are_validated(tmp_path, plain):
    with pytest.raises(ValueError, match="jobs"):
        run(plain, tmp_path / "o.csv", jobs=0)
    with pytest.raises(ValueError, match="threshold"):
        run(plain, tmp_path / "o.csv", thresholds={"misinformation": 2})
    with pytest.raises(ValueError, match="unknown encoding"):
        run(plain, tmp_path / "o.csv", encoding="utf-99")
    with pytest.raises(ValueError, match="delimiter"):
        run(plain, tmp_path / "o.csv", delimiter=";;")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_thresholds_override(tmp_path, plain):
    run(plain, tmp_path / "none.csv", thresholds={"misinformation": 1.0, "sensational": 1.0})
    assert all(r[5] == "false" for r in read_out(tmp_path / "none.csv")[1:])
    run(plain, tmp_path / "all.csv", thresholds={"misinformation": 0.0})
    assert all(r[5] == "true" for r in read_out(tmp_path / "all.csv")[1:] if r[1])


def test_parse_count_and_time():
    assert parse_count("1.234.567") == 1234567 and parse_count("2,5k") == 2500 and parse_count("3M") == 3e6
    assert parse_count("") is None and parse_count("12") == 12
    with pytest.raises(ValueError):
        parse_count("abc")
    assert parse_time("1584000000") == parse_time("1584000000000") == 1584000000.0
    assert parse_time("2020-03-12 10:00").hour == 10
    assert parse_time(" ") is None
    with pytest.raises(ValueError):
        parse_time("12/03/2020")


def test_score_frame(model):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"text": [TEXTS[0], None, TEXTS[1], 5], "likes": [10, math.nan, "abc", 1]},
                      index=[10, 11, 12, 13])
    scored = batch.score_frame(df, "text", likes_column="likes", jobs=1, model=MODEL)
    assert list(scored.columns) == ["text", "likes", *OUTPUT_COLUMNS]
    assert list(scored.index) == [10, 11, 12, 13]
    assert scored.loc[10, "misinformation"] == model.score(TEXTS[0], likes=10).misinformation
    assert scored.loc[11, "reasons"] == "empty text"
    assert "likes 'abc' unreadable" in scored.loc[12, "reasons"]
    assert scored.loc[13, "error"] and math.isnan(scored.loc[13, "misinformation"])
    ranked = batch.score_frame(df, "text", jobs=1, model=MODEL, sort=True)
    assert ranked.index[-1] == 13
    with pytest.raises(ValueError, match="columns found"):
        batch.score_frame(df, "body")
