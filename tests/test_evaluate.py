"""misinfo evaluate: numbers equal scikit-learn's on a fixture, files written, errors clean."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import (average_precision_score, confusion_matrix, f1_score, precision_score, recall_score,
                             roc_auc_score)

import misinfo
import misinfo.evaluate
from misinfo.cli import cli
from misinfo.evaluate import confident_errors, ece_if_calibrated, evaluate_model, expected_calibration_error
from misinfo.train import PLATEAU, choose_threshold
from test_retrain import as_misinformation, make_rows, write

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "evaluation.ipynb"
DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"


pytestmark = pytest.mark.usefixtures("fast_bootstrap")


@pytest.fixture(scope="module")
def rows():
    return make_rows(60, seed=3)


@pytest.fixture(scope="module")
def labelled(rows, tmp_path_factory):
    return write(tmp_path_factory.mktemp("eval") / "labelled.csv", rows)


def test_metrics_match_scikit_learn_and_files_are_written(rows, labelled, tmp_path):
    model = misinfo.load_model("fast")
    result = evaluate_model(model, [labelled], task="sensational", text_column="text", label_column="label",
                            out_dir=tmp_path)
    y = np.array([int(r["label"] == "clickbait") for r in rows])
    p = np.array([s.sensational for s in model.score_many([r["text"] for r in rows])])  # as scoring shows them
    t = model.thresholds["sensational"]
    m = result["metrics"]
    assert m["roc_auc"] == roc_auc_score(y, p)
    assert m["pr_auc"] == average_precision_score(y, p)
    assert m["macro_f1"] == f1_score(y, p >= t, average="macro")
    assert m["precision"] == precision_score(y, p >= t, zero_division=0)
    assert m["recall"] == recall_score(y, p >= t)
    assert m["ece"] == expected_calibration_error(y, p)
    assert result["confusion_matrix"] == confusion_matrix(y, p >= t).tolist()
    for key in ("roc_auc", "pr_auc", "macro_f1", "precision", "recall", "ece"):
        lo, hi = m[f"{key}_ci"]
        assert lo <= hi
    assert list(m["ece_if_calibrated"]) == list(ece_if_calibrated(p))
    # the threshold the training rule picks on these rows, and what it gives on them
    here = result["threshold_for_these_rows"]
    assert here["threshold"] == choose_threshold(y, p, objective="macro_f1")
    assert here["macro_f1"] == f1_score(y, p >= here["threshold"], average="macro")
    assert here["macro_f1"] >= max(f1_score(y, p >= c, average="macro") for c in p) - PLATEAU
    written = {f.name for f in tmp_path.iterdir()}
    assert {"report.md", "metrics.json"} <= written
    assert json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))["metrics"] == json.loads(json.dumps(m))
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert f"would show an ECE of {m['ece_if_calibrated'][0]:.4f}" in report
    assert f"--threshold-sensational {here['threshold']}" in report
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in report
    else:
        assert {"roc.png", "pr.png", "reliability.png", "histogram.png"} <= written


def test_ece_floor_is_what_calibrated_labels_show_and_shrinks_with_rows():
    rng = np.random.default_rng(1)
    small, large = rng.beta(0.6, 1.2, 500), rng.beta(0.6, 1.2, 20_000)
    median, high = ece_if_calibrated(small, n=300)
    assert 0 < median < high
    assert ece_if_calibrated(small, n=300) == (median, high)  # seeded
    # labels drawn from the probabilities: the measured ECE lands under the 95th percentile ~95% of the time
    below = [expected_calibration_error(rng.random(500) < small, small) <= high for _ in range(200)]
    assert 0.88 <= np.mean(below) <= 0.99
    # the floor is a sample-size effect: forty times the rows, a fraction of the floor
    assert ece_if_calibrated(large, n=50)[1] < high / 3
    # a miscalibrated model shows more than the floor
    assert expected_calibration_error(rng.random(20_000) < large, np.clip(large + 0.1, 0, 1)) > ece_if_calibrated(large, n=50)[1]


def test_most_confident_errors_each_way():
    y = [0, 0, 0, 1, 1, 1]
    p = [0.9, 0.6, 0.1, 0.2, 0.05, 0.95]
    errors = confident_errors(y, p, 0.5, list("abcdef"), n=1)
    assert [e["text"] for e in errors["false_positives"]] == ["a"]
    assert [e["text"] for e in errors["false_negatives"]] == ["e"]
    assert len(confident_errors(y, p, 0.5, list("abcdef"))["false_positives"]) == 2


def test_evaluate_command_and_its_errors(rows, labelled, tmp_path):
    mis_labelled = write(tmp_path / "mis.csv", as_misinformation(rows))
    ok = CliRunner().invoke(cli, ["evaluate", "--data", mis_labelled, "--task", "misinformation", "--text-column", "text",
                                  "--label-column", "label", "--likes-column", "likes", "--comments-column", "comments",
                                  "--shares-column", "shares", "--time-column", "published"])
    assert ok.exit_code == 0, ok.output
    printed = json.loads(ok.output)
    assert printed["metrics"]["n"] == 60 and 0 < printed["threshold_for_these_rows"]["threshold"] < 1
    bad = CliRunner().invoke(cli, ["evaluate", "--data", labelled, "--task", "sensational", "--text-column", "text",
                                   "--label-column", "split"])
    assert bad.exit_code != 0 and "'val'" in bad.output and "allowed" in bad.output


def test_evaluation_measures_the_scores_that_scoring_gives(tmp_path):
    """An empty text, or punctuation alone, scores 0 in `misinfo score`: evaluate measured the heads'
    raw output instead, and counted "!!!" as a flagged clickbait title."""
    data = tmp_path / "lab.csv"
    data.write_text('text,label\n,1\n!!!,1\n?!…,1\n"Uống nước chanh nóng diệt virus corona, chia sẻ ngay kẻo muộn!!!",0\n'
                    '"Quốc hội thông qua luật\nPhần thân bài viết",0\n', encoding="utf-8")
    result = evaluate_model(None, [data], task="sensational", text_column="text", label_column="label",
                            out_dir=tmp_path / "r")
    model = misinfo.load_model()
    scored = model.score_many(["", "!!!", "?!…"])
    assert [s.sensational for s in scored] == [0.0, 0.0, 0.0]
    assert result["confusion_matrix"][1] == [3, 0]  # none of the three wordless rows flagged
    assert result["opening_lines"] == 1 and "sensational_opening" in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")


@pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is not checked out")
def test_evaluation_notebook_runs_headless():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 4  # reliability and ROC of both heads
