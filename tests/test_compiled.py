"""The shipped form of a head (misinfo.compiled) scores exactly as the fitted stack it came from
and reads back from its file as written (that scoring never imports scikit-learn: test_model)."""
import numpy as np
import pytest

from misinfo.compiled import Head, UnsupportedModel, compile_head, load_head, save_head
from misinfo.text import analyse
from misinfo.train import make_head

STORIES = ["Giá xăng giảm mạnh từ chiều nay", "Bộ Y tế công bố thêm ca bệnh mới tại Hà Nội",
           "SỐC!!! Uống nước chanh nóng diệt virus, chia sẻ ngay kẻo muộn", "Hà Nội khởi công cầu mới bắc qua sông Hồng",
           "Nghe nói tối nay cắt điện toàn thành phố, mọi người cảnh báo nhau nhé!!", "Lá đu đủ chữa khỏi ung thư?"]


@pytest.fixture(scope="module")
def fitted():
    """Both kinds of head, fitted on a few variants of six stories; scored on texts they have not seen."""
    docs = [analyse(f"{t} ({k}) {'https://vnexpress.net' if k % 2 else ''}") for k in range(6) for t in STORIES]
    y = np.tile([0, 0, 1, 0, 1, 1], 6)
    rng = np.random.default_rng(0)
    meta = np.column_stack([rng.lognormal(4, 1, 36), rng.lognormal(2, 1, 36), rng.lognormal(1, 1, 36),
                            1.6e9 + rng.uniform(0, 1e7, 36)])
    meta[::5, 1] = np.nan
    misinformation = make_head("misinformation").fit(docs, y, meta=meta)
    sensational = make_head("sensational").fit(docs, y)
    unseen = [analyse(t) for t in ["Tin nóng: cắt điện toàn thành phố từ tối nay, chia sẻ ngay!!!",
                                   "Giá vàng giảm 500.000 đồng", "", "xin chào 😀 #tin @ban 0912345678",
                                   "Nghe nói lá đu đủ diệt virus"]] + docs[:7]
    unseen_meta = np.vstack([meta[:len(unseen) - 1], [[np.nan, np.nan, np.nan, 1.6e9]]])
    unseen_meta[1, :] = [5.0, np.nan, np.nan, np.nan]
    return {"misinformation": misinformation, "sensational": sensational}, unseen, unseen_meta


@pytest.mark.parametrize("name", ["misinformation", "sensational"])
def test_a_compiled_head_scores_exactly_as_its_stack(fitted, name, monkeypatch):
    stacks, docs, meta = fitted
    head = compile_head(stacks[name])
    assert np.array_equal(head.base_scores(docs), stacks[name].base_scores(docs))  # float32 sums included
    for m in (None, meta):
        want_p, want_text = stacks[name].predict_proba_both(docs, m)
        got_p, got_text = head.predict_proba_both(docs, m)
        assert np.array_equal(got_p, want_p) and np.array_equal(got_text, want_text)
    # a batch large enough to count n-grams by word ids gives the same numbers
    monkeypatch.setattr("misinfo.compiled.INDEX_MIN_DOCS", 1)
    assert np.array_equal(compile_head(stacks[name]).predict_proba(docs, meta), stacks[name].predict_proba(docs, meta))


def test_a_head_file_reads_back_as_written_and_is_the_same_bytes_each_time(fitted, tmp_path):
    stacks, docs, meta = fitted
    head = compile_head(stacks["misinformation"])
    save_head(head, tmp_path / "a.npz")
    save_head(load_head(tmp_path / "a.npz"), tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    loaded = load_head(tmp_path / "a.npz")
    assert isinstance(loaded, Head) and loaded.unmarked_copies == head.unmarked_copies
    assert np.array_equal(loaded.predict_proba(docs, meta), head.predict_proba(docs, meta))
    # nothing in it is a pickle: numpy refuses object arrays when allow_pickle is False
    with np.load(tmp_path / "a.npz", allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)


def test_the_shipped_heads_round_trip_through_their_files(model, tmp_path, sample_rows):
    docs = [analyse(r["text"], r["title"] or None) for r in sample_rows]
    for name, head in model.heads.items():
        save_head(head, tmp_path / f"{name}.npz")
        assert np.array_equal(load_head(tmp_path / f"{name}.npz").predict_proba(docs), head.predict_proba(docs))


def test_an_estimator_the_runtime_cannot_compute_is_refused_by_name_when_saved(fitted):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    stack = fitted[0]["sensational"]
    with pytest.raises(UnsupportedModel, match="RandomForestClassifier"):
        compile_head(type(stack)(stack.base_estimators, RandomForestClassifier(n_estimators=3)).fit(
            [analyse(t) for t in STORIES * 2], [0, 1] * 6))
    with pytest.raises(UnsupportedModel, match="not a fitted TextStack"):
        compile_head(LogisticRegression())



def test_a_format_1_directory_converts_to_one_that_scores_as_its_pickles(fitted, tmp_path):
    import importlib.util
    import json
    from pathlib import Path

    import joblib

    import misinfo
    from misinfo.artifacts import sha256

    stacks, docs, meta = fitted
    old = tmp_path / "old"
    old.mkdir()
    files = {}
    for name, stack in stacks.items():
        joblib.dump(stack, old / f"{name}.joblib")
        files[f"{name}.joblib"] = sha256(old / f"{name}.joblib")
    metadata = dict(json.loads((misinfo.artifacts.model_dir("fast") / "metadata.json").read_text(encoding="utf-8")),
                    format=1, files=files, model_version="old-1")
    for name in stacks:
        metadata["heads"][name]["file"] = f"{name}.joblib"
    (old / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(misinfo.ArtifactError, match="convert_format1.py"):
        misinfo.load_model(old)

    script = Path(__file__).resolve().parent.parent / "scripts" / "convert_format1.py"
    spec = importlib.util.spec_from_file_location("convert_format1", script)
    convert = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(convert)
    convert.main([str(old)])
    converted = json.loads((old / "metadata.json").read_text(encoding="utf-8"))
    assert converted["format"] == 2 and converted["converted_from"]["files"] == files
    assert sorted(p.name for p in old.iterdir()) == ["metadata.json", "misinformation.npz", "sensational.npz"]
    loaded = misinfo.load_model(old)
    for name, stack in stacks.items():
        assert np.array_equal(loaded.heads[name].predict_proba(docs, meta), stack.predict_proba(docs, meta))
