import json
import shutil

import pytest

import misinfo
from misinfo.artifacts import ArtifactError, load_heads, save, sha256
from misinfo.artifacts import model_dir
from misinfo.text import PIPELINE_VERSION


@pytest.fixture()
def model_copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(model_dir("fast"), target)
    return target


def test_shipped_metadata_describes_and_verifies_every_file():
    path = model_dir("fast")
    meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    for key in ("model_version", "thresholds", "heads", "test_metrics", "library_versions", "files"):
        assert key in meta
    for name, digest in meta["files"].items():
        assert sha256(path / name) == digest
    assert {"scikit-learn", "numpy", "underthesea"} <= set(meta["library_versions"])


def test_a_tampered_file_is_refused_before_loading(model_copy):
    with open(model_copy / "sensational.npz", "ab") as f:
        f.write(b"\0")
    with pytest.raises(ArtifactError, match="sha256"):
        misinfo.load_model(model_copy)


def test_a_format_1_directory_of_pickles_is_refused_with_the_command_that_converts_it(model_copy):
    meta = json.loads((model_copy / "metadata.json").read_text(encoding="utf-8"))
    meta["format"] = 1
    (model_copy / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ArtifactError, match="format 1 .*convert_format1.py .*retrain"):
        load_heads(model_copy)


def test_a_model_loads_whatever_scikit_learn_it_was_built_with(model_copy, model):
    # the head files hold arrays, not pickled estimators: the build's scikit-learn does not matter
    meta = json.loads((model_copy / "metadata.json").read_text(encoding="utf-8"))
    meta["library_versions"]["scikit-learn"] = "0.24.2"
    (model_copy / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    assert misinfo.load_model(model_copy).score("Tin nóng!!!") == model.score("Tin nóng!!!")


@pytest.mark.parametrize("read_as", [None, 1, PIPELINE_VERSION + 1])
def test_a_model_trained_on_text_read_another_way_is_refused_with_a_retrain_hint(model_copy, read_as):
    meta = json.loads((model_copy / "metadata.json").read_text(encoding="utf-8"))
    assert meta["text_pipeline"] == PIPELINE_VERSION
    if read_as is None:
        del meta["text_pipeline"]  # saved before the version was recorded
    else:
        meta["text_pipeline"] = read_as
    (model_copy / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ArtifactError, match="text pipeline version .* Retrain"):
        load_heads(model_copy)


def test_a_directory_without_metadata_is_not_a_model(tmp_path):
    with pytest.raises(ArtifactError, match="metadata.json"):
        load_heads(tmp_path)


def test_a_missing_head_file_is_named(model_copy):
    (model_copy / "misinformation.npz").unlink()
    with pytest.raises(ArtifactError, match="misinformation"):
        load_heads(model_copy)


def test_a_loaded_copy_scores_like_the_default(model_copy, model):
    copy = misinfo.load_model(model_copy)
    assert copy is not model
    assert copy.score("Sốc: sự thật phía sau!") == model.score("Sốc: sự thật phía sau!")


def test_save_is_atomic_and_keeps_the_old_model_on_failure(model_copy, model):
    from misinfo.compiled import UnsupportedModel

    before = {p.name: p.read_bytes() for p in model_copy.iterdir()}
    # the first head is written, the second cannot be: nothing of either may land
    with pytest.raises(UnsupportedModel, match="dict is not a fitted TextStack"):
        save(model_copy, {"misinformation": model.heads["misinformation"], "sensational": {}}, {"heads": {}})
    assert {p.name: p.read_bytes() for p in model_copy.iterdir()} == before
    assert not [p for p in model_copy.parent.iterdir() if p.name.startswith(".model.")]


def test_saving_over_a_model_keeps_what_a_maintainer_put_beside_it(model_copy, model):
    """Only the previous model's own files are replaced: folders, notes and other .npz files stay
    (before, every folder and every .npz or .joblib file in the directory was deleted)."""
    (model_copy / "eval").mkdir()
    (model_copy / "eval" / "report.md").write_text("# held out", encoding="utf-8")
    (model_copy / "NOTES.txt").write_text("notes", encoding="utf-8")
    (model_copy / "embeddings-cache.npz").write_bytes(b"kept")
    (model_copy / "old.joblib").write_bytes(b"kept too")
    (model_copy / "misinformation.npz").write_bytes(b"replaced")
    save(model_copy, model.heads, {"heads": {}, "thresholds": model.thresholds, "model_version": "t"})
    assert (model_copy / "eval" / "report.md").read_text(encoding="utf-8") == "# held out"
    assert (model_copy / "NOTES.txt").read_text(encoding="utf-8") == "notes"
    assert (model_copy / "embeddings-cache.npz").read_bytes() == b"kept"
    assert (model_copy / "old.joblib").read_bytes() == b"kept too"
    assert misinfo.load_model(model_copy).score("Tin nóng").model_version == "t"


def test_saved_metadata_names_the_machine_and_blas_a_model_was_fitted_with(tmp_path, model):
    # the same libraries on another CPU can change a fitted model's last bits (and a threshold)
    import platform

    save(tmp_path / "m", model.heads, {"heads": {}})
    meta = json.loads((tmp_path / "m" / "metadata.json").read_text(encoding="utf-8"))
    assert {name: h["file"] for name, h in meta["heads"].items()} == {n: f"{n}.npz" for n in model.heads}
    assert meta["built_on"]["machine"] == platform.machine()
    assert meta["built_on"]["blas"] and all(isinstance(b, str) for b in meta["built_on"]["blas"])
    assert meta["library_versions"]["scipy"]


@pytest.mark.parametrize("damage", [
    lambda m: m.pop("files"),
    lambda m: m.pop("thresholds"),
    lambda m: m.pop("model_version"),
    lambda m: m["heads"]["sensational"].pop("file"),
    lambda m: m.__setitem__("heads", ["misinformation", "sensational"]),
    lambda m: m["thresholds"].__setitem__("misinformation", 1.5),
])
def test_a_damaged_metadata_file_is_an_artifact_error(model_copy, damage):
    meta = json.loads((model_copy / "metadata.json").read_text(encoding="utf-8"))
    damage(meta)
    (model_copy / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ArtifactError, match="metadata.json"):
        load_heads(model_copy)


def test_metadata_that_is_not_an_object_is_an_artifact_error(model_copy):
    (model_copy / "metadata.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ArtifactError, match="JSON object"):
        load_heads(model_copy)


def test_an_unreadable_head_file_is_an_artifact_error(model_copy):
    head = model_copy / "sensational.npz"
    head.write_bytes(b"not a zip")
    meta = json.loads((model_copy / "metadata.json").read_text(encoding="utf-8"))
    meta["files"]["sensational.npz"] = sha256(head)  # a consistent but broken directory
    (model_copy / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ArtifactError, match="sensational head cannot be read"):
        load_heads(model_copy)


def test_an_embedding_head_from_before_tone_marks_were_read_alike_is_refused():
    from misinfo.compiled import _Embedding

    assert _Embedding.load(_Embedding("body", 600).save("e5", {}), "e5", {}).max_chars == 600
    with pytest.raises(ValueError, match="tone marks.*Retrain"):
        _Embedding.load({"kind": "embedding", "part": "body", "max_chars": 600}, "e5", {})


def test_an_empty_model_name_is_refused():
    with pytest.raises(ValueError, match="empty"):
        misinfo.load_model("")
