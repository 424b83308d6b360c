"""Tests of misinfo.batch and the `misinfo score` command, on generated nasty CSV fixtures.

Set MISINFO_TEST_MODEL to a model directory to test with another model than the default.
"""
from __future__ import annotations

import contextlib
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
    from misinfo.csvio import FIELD_SIZE_LIMIT, CsvInput

    first = CsvInput(inp, None, None, "text")
    with CsvInput(inp, None, None, "text") as second:
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


def _crash_on_chunk(number: int):
    """batch._score_items that raises on the ``number``-th chunk, as a crash mid-run would."""
    real, calls = batch._score_items, []

    def crash(model, items, thresholds):
        calls.append(1)
        if len(calls) == number:
            raise RuntimeError("simulated crash")
        return real(model, items, thresholds)

    return crash


def test_failure_leaves_no_output_and_resume_completes(tmp_path, plain, monkeypatch):
    run(plain, tmp_path / "reference.csv", thresholds=THRESHOLDS)
    real = batch._score_items
    monkeypatch.setattr(batch, "_score_items", _crash_on_chunk(3))
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


def test_resume_refuses_a_model_changed_since(tmp_path, plain, monkeypatch):
    """A model directory retrained between the stop and the resume would score the rest of the
    rows with another model, under one model_version column."""
    import shutil

    from misinfo.artifacts import model_dir

    shutil.copytree(model_dir(MODEL), tmp_path / "model")
    real = batch._score_items
    monkeypatch.setattr(batch, "_score_items", _crash_on_chunk(2))
    out = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        run(plain, out, model=str(tmp_path / "model"))
    monkeypatch.setattr(batch, "_score_items", real)
    meta_path = tmp_path / "model" / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["thresholds"]["misinformation"] = 0.5  # another model, as far as the run can tell
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match=r"scored by another model \(.*model' has changed since\)"):
        run(plain, out, resume=True, model=str(tmp_path / "model"))


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
    # a bad option value is a usage error (2), named, before any work
    for option, value in (("--encoding", "rot13"), ("--encoding", "bogus"), ("--delimiter", ";;"),
                          ("--threshold-misinformation", "nan"), ("--model", str(tmp_path / "no-model"))):
        usage = runner.invoke(cli, ["score", str(plain), "-o", str(tmp_path / "u.csv"), "--text-column", "text",
                                    option, value])
        assert usage.exit_code == 2 and f"Invalid value for '{option}'" in usage.stderr, (option, usage.output)
        assert not (tmp_path / "u.csv").exists()


def test_a_reader_that_stops_reading_ends_the_run_quietly(tmp_path, sample_rows):
    rows = [[str(i), sample_rows[i % len(sample_rows)]["text"]] for i in range(400)]
    inp = write_csv(tmp_path / "in.csv", ["id", "text"], rows)
    proc = subprocess.Popen(f"{sys.executable} -m misinfo score {inp} -o - --text-column text --jobs 1 -q "
                            f"{' '.join(MODEL_ARGS)} | head -c 100 > /dev/null; echo ${{PIPESTATUS[0]}}",
                            shell=True, executable="/bin/bash", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)  # not the source tree: its misinfo/ has no models/
    stdout, stderr = proc.communicate(timeout=120)
    assert stdout.strip() == "141" and stderr == "", stderr


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
    # an error names the row's index label, as score_many names an item's
    assert scored.loc[13, "error"] == "row 3 (index 13): text must be a str, got 5"
    assert batch.score_frame(df.reset_index(drop=True), "text", jobs=1, model=MODEL).loc[3, "error"] == (
        "row 3: text must be a str, got 5")
    with pytest.raises(TypeError, match="column must name the frame's text column, got None"):
        batch.score_frame(df, None)  # every row used to come back scored as "empty text"
    with pytest.raises(ValueError, match=r"column 'text' names 2 columns of the frame \(positions \[0, 2\]\)"):
        batch.score_frame(pd.concat([df, df[["text"]]], axis=1), "text")
    with pytest.raises(ValueError, match=r"already has columns named as the scores are \(\['error'\]"):
        batch.score_frame(df.assign(error="upstream"), "text")


def test_long_texts_score_as_the_core_scores_them(model):
    """A batch row keeps what the core reads: the blanks a text begins with do not count towards
    MAX_CHARS, and a text typed decomposed (NFD) is cut where the same text composed is."""
    pd = pytest.importorskip("pandas")
    from misinfo.text import MAX_CHARS

    news = "Quốc hội thông qua luật đất đai sửa đổi trong phiên họp chiều nay. "
    hoax = "Uống nước chanh nóng diệt được virus corona, chia sẻ ngay kẻo muộn!!! " * 60
    body = news * (MAX_CHARS // len(news) - 20) + hoax  # the hoax ends past MAX_CHARS only with more in front
    texts = [" " * 5000 + body, unicodedata.normalize("NFD", body), "\n" * 3000 + news * 800]
    scored = batch.score_frame(pd.DataFrame({"text": texts}), "text", jobs=1, model=MODEL)
    for text, (_, row) in zip(texts, scored.iterrows()):
        alone = model.score(text)
        assert (row["misinformation"], row["sensational"]) == (alone.misinformation, alone.sensational)
        assert row["reasons"] == batch.REASON_SEPARATOR.join(alone.reasons)
    assert "truncated" in scored["reasons"].iloc[2]


# -- stopping: interrupts, SIGTERM, dead workers, write errors ------------------------------------
# A script, not `python -c`: spawned workers run it again as __mp_main__, so the hook reaches them.
HOOKED_CLI = """
import os, signal, sys, time
import misinfo.batch as b
_real = b._score_items

def _hooked(model, items, thresholds):
    time.sleep(float(os.environ.get("TEST_SLOW", "0")))
    if os.environ.get("TEST_DIE_AT") and any(os.environ["TEST_DIE_AT"] in text for text, _, _ in items):
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    return _real(model, items, thresholds)

b._score_items = _hooked
if __name__ == "__main__":
    from misinfo.cli import main
    main(sys.argv[1:])
"""


def _live_in_group(pgid: int) -> list[int]:
    """Processes of a process group that are not zombies (Linux /proc)."""
    live = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            live.append(int(stat_file.parent.name))
    return live


def _wait_for_rows(state_file: Path, proc, rows: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if json.loads(state_file.read_text(encoding="utf-8"))["rows"] >= rows:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    raise AssertionError("the run made no checkpoint")


def _forty_rows(tmp_path) -> Path:
    rows = [[str(i), f"{TEXTS[i % 7]} (bản tin {i})" + (" KILLME" if i == 27 else ""), str(i)] for i in range(40)]
    return write_csv(tmp_path / "in.csv", ["id", "text", "likes"], rows)


def _hooked_run(tmp_path, out, env, *extra, sigint=signal.SIG_DFL):
    """Start a scoring run in its own process group, with Ctrl-C handled as in a terminal
    (``sigint=SIG_DFL``) whatever this test process inherited: pytest started as a background job
    of a script (``pytest &``) ignores SIGINT, and so would its children (``sigint=SIG_IGN``)."""
    inp = _forty_rows(tmp_path)
    script = tmp_path / "hooked_cli.py"
    script.write_text(HOOKED_CLI, encoding="utf-8")
    args = [sys.executable, str(script), "score", str(inp), "-o", str(out), "--text-column", "text",
            "--likes-column", "likes", "--chunk-size", "5", "--quiet", *MODEL_ARGS, *extra]
    proc = subprocess.Popen(args, cwd=tmp_path, env={**os.environ, **env}, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))
    return inp, proc


@contextlib.contextmanager
def _reaped(proc):
    """The block's run, and its whole process group killed if it is still there at the end (a
    failed assertion must not leave workers behind)."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process groups from /proc")
@pytest.mark.parametrize("signum, to_group, times, status", [
    (signal.SIGINT, True, 2, 130),    # Ctrl-C in a terminal reaches the whole group; twice: no hang
    (signal.SIGTERM, False, 1, 143),  # kill PID, a scheduler's stop: the workers must not be orphaned
], ids=["ctrl-c-twice", "sigterm-to-parent"])
def test_a_stopped_run_ends_its_workers_and_keeps_its_checkpoint(tmp_path, signum, to_group, times, status):
    out = tmp_path / "out.csv"
    state_file = tmp_path / ".out.csv.part.json"
    # 2 s a chunk: the stop comes seconds before the last of the 8 chunks could be done, even when
    # a loaded machine lets this test see the first checkpoint late (at 0.5 s it once saw it after
    # the run had finished, and the run ended 0)
    inp, proc = _hooked_run(tmp_path, out, {"TEST_SLOW": "2"}, "--jobs", "2")
    with _reaped(proc):
        _wait_for_rows(state_file, proc, 5)
        for _ in range(times):
            (os.killpg if to_group else os.kill)(proc.pid, signum)
            time.sleep(0.05)
        _, stderr = proc.communicate(timeout=30)  # promptly: chunks in flight are not waited for
    assert proc.returncode == status, stderr
    assert "run again with --resume to continue" in stderr and "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while _live_in_group(proc.pid) and time.monotonic() < deadline:  # the resource tracker takes a moment
        time.sleep(0.1)
    assert not _live_in_group(proc.pid), "worker processes outlived the run"
    assert not out.exists()
    done = json.loads(state_file.read_text(encoding="utf-8"))["rows"]
    assert 5 <= done < 40 and done % 5 == 0
    reference = run(inp, tmp_path / "reference.csv", likes_column="likes")
    assert run(inp, out, resume=True, likes_column="likes") == batch.BatchResult(40, 0, 40, str(out))
    assert out.read_bytes() == (tmp_path / "reference.csv").read_bytes() and reference.rows == 40


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process groups from /proc")
def test_a_run_that_started_with_ctrl_c_ignored_is_not_stopped_by_it(tmp_path):
    """A run a shell script puts in the background (`misinfo score ... &`) starts with SIGINT ignored
    (POSIX shells do this without job control): a Ctrl-C meant for the script is not for it, and the
    run goes on to the end."""
    out = tmp_path / "out.csv"
    inp, proc = _hooked_run(tmp_path, out, {"TEST_SLOW": "0.5"}, "--jobs", "2", sigint=signal.SIG_IGN)
    with _reaped(proc):
        _wait_for_rows(tmp_path / ".out.csv.part.json", proc, 5)
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    reference = run(inp, tmp_path / "reference.csv", likes_column="likes")
    assert out.read_bytes() == (tmp_path / "reference.csv").read_bytes() and reference.rows == 40


def test_a_run_stopped_while_its_reader_is_slow_ends_stdout_on_a_whole_row(tmp_path, sample_rows):
    """Writing to a pipe that is full, a SIGTERM used to cut a row in two and lose the rest of its
    chunk (the bytes already in the pipe cannot be taken back): now the chunk is finished first."""
    rows = [[f"{i:05d}", sample_rows[i % len(sample_rows)]["text"]] for i in range(1500)]
    inp = write_csv(tmp_path / "in.csv", ["id", "text"], rows)
    proc = subprocess.Popen([sys.executable, "-m", "misinfo", "score", str(inp), "-o", "-", "--text-column", "text",
                             "--jobs", "1", "--chunk-size", "20", "-q", *MODEL_ARGS],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        first = proc.stdout.readline()  # the header: the run has started ...
        time.sleep(6)  # ... and its rows fill the pipe (64 KB: about 150 rows), where the writer blocks
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        stdout = first + proc.stdout.read()  # the same reader: communicate() would skip what it buffered
        stderr = proc.stderr.read()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, stderr
    out = list(csv.reader(io.StringIO(stdout.decode("utf-8"), newline="")))
    assert out[0] == ["id", "text", *OUTPUT_COLUMNS] and 20 <= len(out) - 1 < len(rows)
    assert [r[0] for r in out[1:]] == [f"{i:05d}" for i in range(len(out) - 1)]
    assert all(len(r) == 2 + len(OUTPUT_COLUMNS) and r[1] == rows[int(r[0])][1] for r in out[1:])


def test_stdout_that_takes_part_of_each_write_gets_every_byte(tmp_path, plain, monkeypatch):
    """With PYTHONUNBUFFERED (or -u) stdout is a raw file, and a raw write may take only part of
    what it is given (a full pipe, a signal): a text layer straight over it dropped the rest."""
    class PartWrites(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            taken = bytes(b[:1000])
            self.data += taken
            return len(taken)

    raw = PartWrites()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8"))
    run(plain, "-")
    run(plain, tmp_path / "file.csv")
    assert bytes(raw.data) == (tmp_path / "file.csv").read_bytes()


def test_a_dead_worker_is_a_clean_error_and_resume_continues(tmp_path):
    out = tmp_path / "out.csv"
    inp, proc = _hooked_run(tmp_path, out, {"TEST_SLOW": "0.2", "TEST_DIE_AT": "KILLME"}, "--jobs", "2")
    with _reaped(proc):
        _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    assert "a worker process died (out of memory? killed?)" in stderr and "BrokenProcessPool" not in stderr
    assert "run again with --resume to continue" in stderr
    assert not out.exists() and (tmp_path / ".out.csv.part").exists()
    run(inp, tmp_path / "reference.csv", likes_column="likes")
    run(inp, out, resume=True, likes_column="likes")
    assert out.read_bytes() == (tmp_path / "reference.csv").read_bytes()


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_a_write_error_names_the_output_and_resume_continues(tmp_path):
    import resource

    out = tmp_path / "out.csv"
    inp = _forty_rows(tmp_path)
    run(inp, tmp_path / "reference.csv", likes_column="likes")
    # room for the header and 7 rows: the first chunk is written, the second fails (Python ignores
    # SIGXFSZ, so the write fails with EFBIG)
    limit = len(b"\r\n".join((tmp_path / "reference.csv").read_bytes().split(b"\r\n")[:8]))
    args = [sys.executable, "-m", "misinfo", "score", str(inp), "-o", str(out), "--text-column", "text",
            "--likes-column", "likes", "--chunk-size", "5", "--jobs", "1", "--quiet", *MODEL_ARGS]
    failed = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert failed.returncode == 1, failed.stderr
    assert f"File too large: {out}; run again with --resume to continue" in failed.stderr
    assert not out.exists()
    assert json.loads((tmp_path / ".out.csv.part.json").read_text(encoding="utf-8"))["rows"] == 5
    run(inp, out, resume=True, likes_column="likes")
    assert out.read_bytes() == (tmp_path / "reference.csv").read_bytes()
    # a missing directory is named as the user gave it, not as the hidden temporary file
    missing = CliRunner().invoke(cli, ["score", str(inp), "-o", str(tmp_path / "nodir" / "x.csv"), "--text-column",
                                       "text", "--jobs", "1", *MODEL_ARGS])
    assert missing.exit_code == 1
    assert f"No such file or directory: {tmp_path / 'nodir' / 'x.csv'}\n" in missing.stderr
    assert "--resume" not in missing.stderr


@pytest.mark.parametrize("stdin", [False, True])
def test_interrupt_hint_only_when_resume_can_work(tmp_path, plain, monkeypatch, stdin):
    real = batch._score_items
    calls = []

    def interrupt_on_second_chunk(model, items, thresholds):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(model, items, thresholds)

    monkeypatch.setattr(batch, "_score_items", interrupt_on_second_chunk)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["score", "-" if stdin else str(plain), "-o", str(out), "--text-column", "text",
                                      "--jobs", "1", "--chunk-size", "5", *MODEL_ARGS],
                                input=plain.read_bytes() if stdin else None)
    assert result.exit_code == 130
    hidden = sorted(p.name for p in tmp_path.glob(".*"))
    if stdin:  # --resume refuses stdin: no hint, and no partial files to trip over
        assert result.stderr == "interrupted\n" and hidden == []
    else:
        assert result.stderr == "interrupted; run again with --resume to continue\n"
        assert hidden == [".out.csv.part", ".out.csv.part.json"]
    assert not out.exists()


# -- the output file -------------------------------------------------------------------------------
def test_a_symlinked_output_is_written_through(tmp_path, plain):
    (tmp_path / "data").mkdir()
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "data" / "real.csv")  # dangling until written, as for `>`
    for sort in (False, True):
        run(plain, tmp_path / "reference.csv", sort=sort)
        run(plain, link, sort=sort)
        assert link.is_symlink() and link.read_bytes() == (tmp_path / "reference.csv").read_bytes()
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["real.csv"]  # no temporary file left
    assert not list(tmp_path.glob(".*"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path, plain):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    for output, kind in ((tmp_path / "fifo", "a FIFO"), (tmp_path / "folder", "a directory"),
                         (Path(os.devnull), "a character device")):
        with pytest.raises(ValueError, match=f"is {kind}: .*write to stdout"):
            run(plain, output)
    result = CliRunner().invoke(cli, ["score", str(plain), "-o", os.devnull, "--text-column", "text", "--jobs", "1",
                                      *MODEL_ARGS])
    assert result.exit_code == 1 and "-o -" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "folder", "in.csv"]


def test_sorted_output_gets_the_umask_mode(tmp_path, plain):
    old = os.umask(0o022)
    try:
        run(plain, tmp_path / "plain.csv")
        run(plain, tmp_path / "sorted.csv", sort=True)
    finally:
        os.umask(old)
    assert (tmp_path / "sorted.csv").stat().st_mode & 0o777 == (tmp_path / "plain.csv").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("sort", [False, True])
def test_a_replaced_output_keeps_its_permissions(tmp_path, plain, sort):
    """Rescoring into an existing private file (or into the input itself) leaves it private."""
    private = tmp_path / "private.csv"
    private.write_text("old\n", encoding="utf-8")
    private.chmod(0o600)
    run(plain, private, sort=sort)
    assert private.stat().st_mode & 0o777 == 0o600 and read_out(private)[0][0] == "id"


@pytest.mark.skipif(batch.fcntl is None, reason="no flock")
def test_a_second_run_on_the_same_output_is_refused(tmp_path, plain):
    import fcntl

    out = tmp_path / "out.csv"
    with open(tmp_path / ".out.csv.lock", "w") as held:  # as the first run holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(ValueError, match="another misinfo run is writing"):
            run(plain, out)
        assert not out.exists() and not (tmp_path / ".out.csv.part").exists()
    assert run(plain, out).rows == 13  # the lock is gone with its holder
    assert not list(tmp_path.glob(".*"))


# -- reading ----------------------------------------------------------------------------------------
def test_an_unclosed_quote_is_an_error_row(tmp_path):
    runner = CliRunner()

    def score(data: str, status: int):
        (tmp_path / "in.csv").write_text(data, encoding="utf-8")
        result = runner.invoke(cli, ["score", str(tmp_path / "in.csv"), "-o", "-", "--text-column", "text",
                                     "--jobs", "1", *MODEL_ARGS])
        assert result.exit_code == status, result.output
        return list(csv.reader(io.StringIO(result.stdout)))[1:]

    # to the end of the file: one row, saying so
    rows = score('id,text\n1,"Sốc thật\n2,abc\n3,def\n', 3)
    assert len(rows) == 1 and rows[0][1] == "Sốc thật\n2,abc\n3,def\n" and rows[0][2] == ""
    assert rows[0][-1] == "line 2: unclosed quote: the rest of the file (lines 2–4) was read as one cell"
    # closed again by a stray quote further on: the rows after it are scored
    rows = score('id,text\n1,"Sốc thật\n2,abc\n3,"def"\n4,ghi\n', 3)
    assert [r[0] for r in rows] == ["1", "4"]
    assert rows[0][-1] == "line 2: the record spans lines 2–4 (an unclosed quote?)" and rows[1][-1] == ""
    # closed by a quote inside a later cell (an even number of quotes in all): still said, not merged silently
    rows = score('id,text\n1,"Mở ngoặc không đóng\n2,Hàng hai\n3,Tivi 55" giá rẻ\n4,Bốn\n', 3)
    assert [r[0] for r in rows] == ["1", "4"]
    assert rows[0][-1] == "line 2: the record spans lines 2–4 (an unclosed quote?)" and rows[1][-1] == ""
    # legitimate quoted cells, multi-line and with escaped quotes, are not errors, also beside a
    # cell with an inch mark (an odd number of quotes in the record)
    rows = score('id,text\n1,"dòng một\ndòng ""hai"", ba"\n2,"x ""y"""\n3,a "b" c\n', 0)
    assert [r[1] for r in rows] == ['dòng một\ndòng "hai", ba', 'x "y"', 'a "b" c']
    rows = score('id,text,note\n1,"Dòng một\nDòng hai",Tivi 55" giá\n2,Một dòng,Tivi 55" giá\n', 0)
    assert [r[1:3] for r in rows] == [["Dòng một\nDòng hai", 'Tivi 55" giá'], ["Một dòng", 'Tivi 55" giá']]
    with pytest.raises(ValueError, match="header .* has an unclosed quote"):
        run(_write(tmp_path / "h.csv", 'id,"text\n1,abc\n'), tmp_path / "o.csv")


def _write(path: Path, data) -> Path:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_a_bom_decides_over_the_encoding_option(tmp_path, plain):
    run(plain, tmp_path / "reference.csv")
    header, *rows = read_out(plain)
    utf8 = write_csv(tmp_path / "utf8.csv", header, rows, bom=True)
    run(utf8, tmp_path / "out.csv", encoding="latin-1")
    assert read_out(tmp_path / "out.csv") == read_out(tmp_path / "reference.csv")
    utf16 = write_csv(tmp_path / "utf16.csv", header, rows, encoding="utf-16")  # with its BOM
    run(utf16, tmp_path / "out16.csv", encoding="cp1258")
    assert read_out(tmp_path / "out16.csv") == read_out(tmp_path / "reference.csv")


def test_what_is_not_a_text_csv_is_refused_clearly(tmp_path, plain):
    import gzip

    for codec in ("rot13", "base64", "zlib"):
        with pytest.raises(ValueError, match=f"'{codec}' is not a text encoding"):
            run(plain, tmp_path / "o.csv", encoding=codec)
    with pytest.raises(ValueError, match=r"compressed or binary file \(gzip\), not a CSV: decompress it first"):
        run(_write(tmp_path / "in.csv.gz", gzip.compress(plain.read_bytes())), tmp_path / "o.csv")
    with pytest.raises(ValueError, match=r"binary file \(NUL bytes in its first line\)"):
        run(_write(tmp_path / "nul.csv", b"id\x00x,text\n1,abc\n"), tmp_path / "o.csv")
    header, *rows = read_out(plain)
    utf16 = write_csv(tmp_path / "u16.csv", header, rows, encoding="utf-16-le")
    result = CliRunner().invoke(cli, ["score", str(utf16), "-o", "-", "--text-column", "text", *MODEL_ARGS])
    assert result.exit_code == 1 and "--encoding utf-16-le" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "in.csv.gz", "nul.csv", "u16.csv"]


def test_a_one_column_csv_is_read_and_written_with_commas(tmp_path):
    inp = _write(tmp_path / "in.csv", 'text\nhello, world\n"hi, there"\nfoo; bar\n')
    result = run(inp, tmp_path / "out.csv")
    out = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert out[0] == "text," + ",".join(OUTPUT_COLUMNS)  # not tab-separated
    rows = read_out(tmp_path / "out.csv")[1:]
    assert [r[0] for r in rows] == ["hello", "hi, there", "foo; bar"]
    # an unquoted comma splits a cell, as in any CSV: that row says so, the others are scored
    assert result.failed == 1 and "cells beyond the header: [' world']" in rows[0][-1]
    assert rows[1][-1] == rows[2][-1] == ""
