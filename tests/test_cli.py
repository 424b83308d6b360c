import json

from click.testing import CliRunner

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


def test_info_reports_verified_files_and_versions():
    result = CliRunner().invoke(cli, ["info"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["sha256_verified"] == ["misinformation.npz", "sensational.npz"]
    assert info["model_version"].startswith("fast-")
    assert info["installed"]["scikit-learn"] == info["trained_with"]["scikit-learn"]


def test_bad_model_is_a_clean_error():
    result = CliRunner().invoke(cli, ["info", "--model", "no-such-dir"])
    assert result.exit_code != 0
