import json

import pytest
from click.testing import CliRunner

from conftest import cp1258_bytes
from misinfo.cli import cli


def test_text_command_prints_one_json_object_per_text():
    result = CliRunner().invoke(cli, ["text", "Sốc!!! Sự thật khiến ai cũng ngỡ ngàng", "Quốc hội họp phiên bế mạc"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 2 and rows[0]["sensational"] > rows[1]["sensational"]


def test_text_command_reads_stdin_and_takes_thresholds():
    result = CliRunner().invoke(cli, ["text", "--threshold-misinformation", "0"], input="Tin thứ nhất\nTin thứ hai\n")
    assert result.exit_code == 0
    assert [json.loads(line)["flagged"] for line in result.output.splitlines()] == [True, True]


def test_text_command_reads_stdin_in_another_encoding_or_says_it_cannot():
    post = "Uống nước chanh nóng diệt virus, chia sẻ ngay kẻo muộn!!!"
    utf8 = CliRunner().invoke(cli, ["text", "-"], input=post + "\n")  # '-' is stdin, as for score and report
    assert utf8.exit_code == 0, utf8.output
    legacy = cp1258_bytes(post + "\n")
    wrong = CliRunner().invoke(cli, ["text"], input=legacy)
    assert wrong.exit_code == 1 and "line 1 of stdin is not utf-8 text" in wrong.output and "--encoding" in wrong.output
    right = CliRunner().invoke(cli, ["text", "--encoding", "cp1258"], input=legacy)
    assert right.exit_code == 0 and json.loads(right.output) == json.loads(utf8.output)


def test_text_command_scores_the_lines_before_one_that_does_not_decode_and_names_it():
    """stdin used to be decoded in blocks: one bad line lost the good lines before it, the error
    named line 1, and stdin was left closed for the calling program."""
    import io
    import sys

    good = ["Tin hay", "Xin chào\r", "Giá xăng giảm"]
    data = "\n".join(good).encode("utf-8") + b"\n\xff\xfe bad\nok\n"
    result = CliRunner().invoke(cli, ["text"], input=data)
    assert result.exit_code == 1
    out = result.output.splitlines()
    assert [json.loads(line)["model_version"] for line in out[:3]] and len(out) == 4, result.output
    assert "line 4 of stdin is not utf-8 text" in out[3] and "at character 0 of the line" in out[3]
    # a text without its last line end, and with a character cut at the end
    assert len(CliRunner().invoke(cli, ["text"], input="Tin một\nTin hai".encode()).output.splitlines()) == 2
    cut = CliRunner().invoke(cli, ["text"], input="Tin một\nTin ha".encode() + "ì".encode()[:1])
    assert cut.exit_code == 1 and "line 2 of stdin is not utf-8 text" in cut.output
    # every line end: \n, \r\n and a lone \r (as the text layer read them before)
    ends = CliRunner().invoke(cli, ["text"], input=b"Tin m\xe1\xbb\x99t\rTin hai\r\nTin ba\n")
    assert ends.exit_code == 0 and len(ends.output.splitlines()) == 3, ends.output
    # UTF-16: a line end is two bytes; the bad line is still named, after the good ones
    utf16 = CliRunner().invoke(cli, ["text", "--encoding", "utf-16-le"],
                               input="Tin một\n".encode("utf-16-le") + b"\x00\xd8\n\x00")
    lines = utf16.output.splitlines()
    assert utf16.exit_code == 1 and len(lines) == 2 and "line 2 of stdin is not utf-16-le text" in lines[1], lines
    stdin = sys.stdin  # called in-process, as a program embedding the CLI would
    try:
        sys.stdin = io.TextIOWrapper(io.BytesIO("Tin một\n".encode()), encoding="utf-8")
        cli.main(["text"], standalone_mode=False)
        assert not sys.stdin.buffer.closed
    finally:
        sys.stdin = stdin


def test_each_threshold_option_sets_the_threshold_it_names():
    post = "Điều ít ai biết về món ăn quen thuộc\nChiều nay, cơ quan chức năng cho biết sẽ tiếp tục theo dõi."

    def flagged(*options):
        result = CliRunner().invoke(cli, ["text", *options, "--threshold-misinformation", "1", post])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["flagged"]

    assert not flagged() and not flagged("--threshold-sensational", "0.5")  # a post's opening line
    assert flagged("--threshold-sensational-opening", "0.3")
    assert flagged("--threshold-sensational", "0.2", "--threshold-sensational-opening", "0.2")


def test_info_reports_verified_files_and_versions():
    result = CliRunner().invoke(cli, ["info"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["sha256_verified"] == ["misinformation.npz", "sensational.npz"]
    assert info["model_version"].startswith("fast-")
    assert info["installed"]["scikit-learn"] == info["trained_with"]["scikit-learn"]
    checks = info["test_metrics"]
    assert 0 <= checks["short_messages"]["sensational_flagged"] <= 1  # the model card's checks, not blanked
    assert checks["news_articles"]["n"] > 0 and checks["news_articles"]["by_category"]


def test_bad_model_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(cli, ["info", "--model", "no-such-dir"])
    assert result.exit_code != 0
    # a folder that holds no model: the same error from every command (score hashed its
    # metadata.json first and failed with a bare "No such file or directory")
    empty = tmp_path / "emptymodel"
    empty.mkdir()
    inp = tmp_path / "in.csv"
    inp.write_text("text\nTin một\n", encoding="utf-8")
    for args in (["info"], ["text", "Tin một"], ["score", str(inp), "-o", "-", "--text-column", "text"],
                 ["score", str(inp), "-o", "-", "--text-column", "text", "--jobs", "2"]):
        result = CliRunner().invoke(cli, [*args, "--model", str(empty)])
        assert result.exit_code == 1 and "is not a misinfo model directory: no metadata.json in it" in result.output, (
            args, result.output)


def test_score_help_states_exit_statuses_and_replacement():
    result = CliRunner().invoke(cli, ["score", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for status in ("0 every row", "3 some rows failed", "1 an error", "2 a usage error", "130 interrupted", "143"):
        assert status in text
    assert "renamed over it when complete" in text and "even INPUT itself" in text
    assert "used with at least one count column" in text and "a BOM (UTF-8, UTF-16, UTF-32) always decides" in text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_text_command_answers_each_stdin_line_before_the_next_arrives(tmp_path, encoding):
    """A program that pipes one text at a time into `misinfo text` reads each answer before it
    writes the next text (stdin read all at once, or in blocks, would hang it; so did a UTF-16 line
    end, two bytes, read up to its first)."""
    import select
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "misinfo", "text", "--encoding", encoding], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        for text in ("Giá xăng giảm nhẹ từ chiều nay", "Sốc!!! Sự thật khiến ai cũng ngỡ ngàng"):
            proc.stdin.write((text + "\n").encode(encoding))
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 60)  # not a hang if it never answers
            assert ready, "no answer while stdin is still open"
            assert json.loads(proc.stdout.readline())["model_version"]
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0 and proc.stdout.read() == b""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
