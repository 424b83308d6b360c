"""Tests of misinfo.dask and `misinfo score --scheduler`, on a LocalCluster of 2 single-thread processes.

Every scored output is compared with what the single-machine `misinfo score` writes for the same
file. Set MISINFO_TEST_MODEL to a model directory to test with another model than the default.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from misinfo.cli import cli

MODEL = os.environ.get("MISINFO_TEST_MODEL") or None
MODEL_ARGS = ["--model", MODEL] if MODEL else []

try:
    import dask.dataframe as dd
    import distributed
    import pandas as pd
except ImportError:  # pragma: no cover - depends on the environment
    dd = distributed = pd = None
needs_dask = pytest.mark.skipif(dd is None, reason="needs misinfo[dask]: pip install 'misinfo[dask]'")
needs_parquet = pytest.mark.skipif(
    dd is None or __import__("importlib").util.find_spec("pyarrow") is None, reason="needs pyarrow")

TEXTS = [
    "SỐC!!! Sự thật gây choáng phía sau bức ảnh khiến dân mạng xôn xao",
    "Quốc hội thông qua Luật Đất đai sửa đổi với đa số đại biểu tán thành",
    "Chia sẻ ngay: uống nước chanh nóng diệt virus, cảnh báo khẩn cho mọi người!!!",
    "Giá xăng giảm 500 đồng mỗi lít từ 15 giờ chiều nay",
    "Bất ngờ với lý do khiến cô gái bật khóc, ai cũng ngỡ ngàng",
    "",
]
HEADER = ["id", "title", "text", "likes"]


def write_exports(folder: Path, files: int, rows: int, *, bad: bool = True) -> list[Path]:
    """``files`` CSV exports; with ``bad``, file 1 has a short row, a long row and undecodable bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in range(files):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(HEADER)
        for i in range(rows):
            likes = ("1,2K", "abc", "", "17")[i % 4]  # "abc" is unreadable: a note, not an error
            writer.writerow([f"{f}-{i}", "Tin nóng" if i % 5 == 0 else "",
                             f"{TEXTS[i % len(TEXTS)]} (bài {f}-{i})" if TEXTS[i % len(TEXTS)] else "", likes])
        if bad and f == 1:
            writer.writerow(["short"])
            writer.writerow(["long", "", "văn bản", "1", "extra"])
        data = buf.getvalue().encode("utf-8")
        if bad and f == 1:
            data += b"bytes,,Tin \xff\xfe l\xe1,3\n"
        path = folder / f"export{f}.csv"
        path.write_bytes(data)
        paths.append(path)
    return paths


def single_machine(inputs: list[Path], folder: Path, *extra: str) -> list[bytes]:
    """What `misinfo score` (no --scheduler) writes for each input."""
    folder.mkdir(parents=True, exist_ok=True)
    outputs = []
    for path in inputs:
        out = folder / path.name
        result = CliRunner().invoke(cli, ["score", str(path), "-o", str(out), "--text-column", "text",
                                          "--title-column", "title", "--likes-column", "likes", "--jobs", "1",
                                          "-q", *extra, *MODEL_ARGS])
        assert result.exit_code in (0, 3), result.output
        outputs.append(out.read_bytes())
    return outputs


def parts(out: Path, suffix: str = ".csv") -> list[Path]:
    return sorted(p for p in out.iterdir() if p.name.startswith("part-") and p.name.endswith(suffix))


def dask_cli(pattern, out: Path, scheduler: str, *extra: str):
    return CliRunner().invoke(cli, ["score", str(pattern), "-o", str(out), "--text-column", "text",
                                    "--title-column", "title", "--likes-column", "likes", "--scheduler", scheduler,
                                    *extra, *MODEL_ARGS])


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        yield cluster


# -- import without dask ------------------------------------------------------------------------
def test_import_misinfo_never_imports_dask(tmp_path):
    code = ("import sys\n"
            "sys.modules['dask'] = sys.modules['distributed'] = None  # as if not installed\n"
            "import misinfo, misinfo.cli, misinfo.dask\n"
            "assert misinfo.score('Giá xăng giảm 500 đồng').model_version\n"
            "try:\n"
            "    misinfo.dask.score_dataframe(None, 'text')\n"
            "except ImportError as exc:\n"
            "    assert \"misinfo[dask]\" in str(exc), exc\n"
            "else:\n"
            "    raise SystemExit('no ImportError')\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, timeout=120)
    loaded = subprocess.run([sys.executable, "-c", "import misinfo, sys; print(sorted(m for m in sys.modules "
                             "if m.split('.')[0] in ('dask', 'distributed')))"],
                            check=True, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert loaded.stdout.strip() == "[]"


# -- the CLI ----------------------------------------------------------------------------------
@needs_dask
def test_cli_parts_equal_the_single_machine_output(tmp_path, cluster):
    inputs = write_exports(tmp_path / "exports", files=3, rows=12)
    expected = single_machine(inputs, tmp_path / "single")
    out = tmp_path / "scored"
    result = dask_cli(tmp_path / "exports" / "*.csv", out, cluster.scheduler_address)
    assert result.exit_code == 3, result.output  # the bad rows of export1: kept, with an error
    assert "3 rows failed" in result.output
    got = parts(out)
    assert [p.name for p in got] == [f"part-0000{i}-export{i}.csv" for i in range(3)]
    assert [p.read_bytes() for p in got] == expected  # byte for byte, bad rows included
    manifest = json.loads((out / "_SUCCESS").read_text(encoding="utf-8"))
    assert [(p["rows"], p["failed"]) for p in manifest["parts"]] == [(12, 0), (15, 3), (12, 0)]
    assert {p.name for p in out.iterdir()} == {p.name for p in got} | {"_SUCCESS"}  # no temp files left


@needs_dask
def test_cli_local_scheduler_and_options(tmp_path):
    inputs = write_exports(tmp_path / "exports", files=2, rows=6, bad=False)
    expected = single_machine(inputs, tmp_path / "single", "--only-flagged", "--threshold-sensational", "0.3")
    out = tmp_path / "scored"
    result = dask_cli(tmp_path / "exports" / "*.csv", out, "local", "--workers", "2", "--only-flagged",
                      "--threshold-sensational", "0.3")
    assert result.exit_code == 0, result.output
    assert [p.read_bytes() for p in parts(out)] == expected
    assert (out / "_SUCCESS").is_file()
    # A directory that already holds a run is refused: parts of two runs must not mix.
    again = dask_cli(tmp_path / "exports" / "*.csv", out, "local", "--workers", "1")
    assert again.exit_code == 1 and "already holds" in again.output


def test_cli_without_scheduler_is_unchanged(tmp_path):
    inputs = write_exports(tmp_path / "exports", files=1, rows=2, bad=False)
    for extra in (["--workers", "2"], ["--format", "parquet"]):
        result = CliRunner().invoke(cli, ["score", str(inputs[0]), "-o", str(tmp_path / "o.csv"), "--text-column",
                                          "text", *extra])
        assert result.exit_code == 2 and "needs --scheduler" in result.output
    result = CliRunner().invoke(cli, ["score", str(inputs[0]), "-o", str(tmp_path), "--text-column", "text"])
    assert result.exit_code == 2 and "is a directory" in result.output
    result = CliRunner().invoke(cli, ["score", "-", "-o", "out", "--text-column", "text", "--scheduler", "local"])
    assert result.exit_code == 2 and "stdin" in result.output
    result = CliRunner().invoke(cli, ["score", str(inputs[0]), "-o", str(tmp_path / "s"), "--text-column", "text",
                                      "--scheduler", "localhost"])
    assert result.exit_code == 1 and "tcp://" in result.output and not (tmp_path / "s").exists()


# -- the _SUCCESS rule ------------------------------------------------------------------------
@needs_dask
def test_failed_part_fails_the_job_without_success_marker(tmp_path, cluster):
    inputs = write_exports(tmp_path / "exports", files=2, rows=4, bad=False)
    inputs[1].write_text("id,body\n1,không có cột text\n", encoding="utf-8")
    out = tmp_path / "scored"
    result = dask_cli(tmp_path / "exports" / "*.csv", out, cluster.scheduler_address)
    assert result.exit_code == 1
    assert "export1.csv" in result.output and "columns found" in result.output
    assert not (out / "_SUCCESS").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


@needs_dask
def test_killed_worker_loses_and_duplicates_no_row(tmp_path):
    from misinfo.dask import score_files

    inputs = write_exports(tmp_path / "exports", files=8, rows=150, bad=False)
    expected = single_machine(inputs, tmp_path / "single")
    out = tmp_path / "scored"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc, \
            distributed.Client(lc) as client:
        outcome: dict = {}

        def job():
            try:
                outcome["result"] = score_files(str(tmp_path / "exports" / "*.csv"), out, text_column="text",
                                                title_column="title", likes_column="likes", model=MODEL,
                                                scheduler=lc.scheduler_address)
            except BaseException as exc:  # reported by the assertions below
                outcome["error"] = exc

        thread = threading.Thread(target=job)
        thread.start()
        deadline = time.monotonic() + 60
        while not (out.is_dir() and parts(out)) and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert thread.is_alive(), outcome  # the job is still running: kill a worker in the middle of it
        assert not (out / "_SUCCESS").exists()  # not before every part is complete
        busy = [w for w, keys in client.processing().items() if keys]
        assert busy  # a worker with a part in progress
        pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        thread.join(120)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].rows == 8 * 150
    assert [p.read_bytes() for p in parts(out)] == expected
    assert {p.name for p in out.iterdir()} == {p.name for p in parts(out)} | {"_SUCCESS"}


# -- the dataframe API and Parquet ---------------------------------------------------------------
@needs_dask
def test_score_dataframe_equals_score_frame(cluster):
    from misinfo.batch import OUTPUT_COLUMNS, score_frame
    from misinfo.dask import score_dataframe

    frame = pd.DataFrame({"text": [TEXTS[i % len(TEXTS)] + f" {i}" for i in range(21)] + [None],
                          "likes": ["1,2K", "abc"] * 11}, index=range(100, 78, -1))
    ddf = dd.from_pandas(frame, npartitions=3, sort=False)
    scored = score_dataframe(ddf, "text", likes_column="likes", model=MODEL)
    assert list(scored.columns) == list(frame.columns) + list(OUTPUT_COLUMNS)
    assert scored.npartitions == 3
    with distributed.Client(cluster) as client:
        got = client.compute(scored).result()
    # ddf.compute(): the input as dask holds it (dask may store text as pandas' string dtype).
    expected = score_frame(ddf.compute(), "text", likes_column="likes", model=MODEL, jobs=1)
    pd.testing.assert_frame_equal(got, expected)  # same values, index and row order
    assert got.index.tolist() == frame.index.tolist()
    assert dict(got.dtypes) == dict(scored.dtypes)  # meta declares what the partitions return
    assert got["misinformation"].iloc[-1] == 0.0 and got["error"].iloc[-1] == ""  # missing text is empty text

    with pytest.raises(ValueError, match="columns found"):
        score_dataframe(ddf, "body")
    with pytest.raises(TypeError, match="dask.dataframe.DataFrame"):
        score_dataframe(frame, "text")
    from misinfo import load_model
    with pytest.raises(TypeError, match="model must be"):
        score_dataframe(ddf, "text", model=load_model(MODEL))  # never pickled into tasks


@needs_parquet
def test_parquet_in_and_out(tmp_path, cluster):
    inputs = write_exports(tmp_path / "exports", files=2, rows=8)
    expected = [pd.read_csv(io.BytesIO(b), dtype=str, keep_default_na=False, encoding="utf-8-sig")
                for b in single_machine(inputs, tmp_path / "single")]
    csv_to_parquet = dask_cli(tmp_path / "exports" / "*.csv", tmp_path / "pq", cluster.scheduler_address,
                              "--format", "parquet")
    assert csv_to_parquet.exit_code == 3, csv_to_parquet.output
    for part, want in zip(parts(tmp_path / "pq", ".parquet"), expected):
        got = pd.read_parquet(part)
        assert got["flagged"].dtype == "boolean" and got["misinformation"].dtype == "float64"
        assert got["misinformation"].map(lambda v: "" if pd.isna(v) else f"{v:.6f}").tolist() \
            == want["misinformation"].tolist()
        assert got["reasons"].tolist() == want["reasons"].tolist()
        assert got["error"].tolist() == want["error"].tolist()

    # Parquet in: the same scores as the CSV of the same rows.
    source = tmp_path / "pqin"
    source.mkdir()
    clean = expected[0][HEADER]
    clean.to_parquet(source / "posts.parquet", index=False)
    result = dask_cli(source / "*.parquet", tmp_path / "from_pq", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(parts(tmp_path / "from_pq")[0], dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, expected[0])


@needs_parquet
def test_parquet_columns_keep_their_types_and_values(tmp_path, cluster):
    """An integer id column with a gap stayed integers (read as floats, two 19-digit ids became one
    value), and a column named as a score column is refused, not overwritten."""
    source = tmp_path / "pqin"
    source.mkdir()
    ids = pd.array([1234567890123456789, None, 1234567890123456781], dtype="Int64")
    frame = pd.DataFrame({"post_id": ids, "title": ["", "", ""], "text": TEXTS[:3], "likes": ["1", "2", "3"]})
    frame.to_parquet(source / "posts.parquet", index=False)
    for fmt in ("csv", "parquet"):
        result = dask_cli(source / "*.parquet", tmp_path / fmt, cluster.scheduler_address, "--format", fmt)
        assert result.exit_code == 0, result.output
        part = parts(tmp_path / fmt, f".{fmt}")[0]
        got = pd.read_parquet(part) if fmt == "parquet" else pd.read_csv(part, dtype=str, keep_default_na=False)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            assert str(pq.read_schema(part).field("post_id").type) == "int64"
            assert got["post_id"].tolist()[::2] == ids[::2].tolist() and pd.isna(got["post_id"][1])
        else:
            assert got["post_id"].tolist() == ["1234567890123456789", "", "1234567890123456781"]
    # an id kept as the frame's index is stored as a column of the file: data, kept in the CSV too
    frame.set_index("post_id").to_parquet(source / "posts.parquet")
    result = dask_cli(source / "*.parquet", tmp_path / "indexed", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(parts(tmp_path / "indexed", ".csv")[0], dtype=str, keep_default_na=False)
    assert list(got.columns[:2]) == ["post_id", "title"]
    assert got["post_id"].tolist() == ["1234567890123456789", "", "1234567890123456781"]
    frame.assign(error=["upstream", "", ""]).to_parquet(source / "posts.parquet", index=False)
    clash = dask_cli(source / "*.parquet", tmp_path / "clash", cluster.scheduler_address)
    assert clash.exit_code != 0 and "already has columns named as the scores are" in clash.output


@needs_dask
def test_docstring_examples():
    import doctest

    import misinfo.dask

    result = doctest.testmod(misinfo.dask, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
