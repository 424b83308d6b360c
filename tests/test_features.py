import datetime as dt
import math
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from misinfo.estimators import CompactTfidfVectorizer, MetadataFeatures, StyleFeatures
from misinfo.features import body_chars, body_syllables, body_words, headline_words, style_counts
from misinfo.metadata import metadata_row
from misinfo.text import analyse

DOCS = [analyse(t) for t in ["SỐC!!! Sự thật phía sau bức ảnh là đây?", "Quốc hội thông qua luật mới",
                             "Chia sẻ ngay kẻo muộn, cảnh báo khẩn 😀", "Giá vàng giảm 500.000 đồng"]]


def test_style_signals_fire_on_sensational_text_and_not_on_plain_text():
    X = StyleFeatures("headline").fit_transform(DOCS)
    names = list(StyleFeatures().get_feature_names_out())
    assert X.shape == (4, len(names))
    assert ((X >= 0) & (X <= 1)).all()
    row = dict(zip(names, X[0]))
    assert row["style:exclamation_run"] == 1 and row["style:question"] > 0 and row["style:clickbait_phrase"] > 0
    plain = dict(zip(names, X[1]))
    assert plain["style:exclamation"] == 0 and plain["style:clickbait_phrase"] == 0


def test_share_calls_and_caps_are_counted():
    counts = style_counts(DOCS[2].body, DOCS[2].tokens)
    assert counts["share_call"] >= 2 and counts["emoji"] == 1
    assert style_counts(DOCS[0].body, DOCS[0].tokens)["shouting"] > 0


@pytest.mark.parametrize("text, abbreviations, shouted", [
    ("UBND TP HCM họp về COVID", 4 / 6, 0.0),
    ("NSƯT Xuân Bắc về Hà Nội", 1 / 6, 0.0),
    ("AI và CEO của MU", 3 / 5, 0.0),
    ("SỐC: BILL GATES THỪA NHẬN", 2 / 5, 3 / 5),
    ("CẢNH BÁO: uống nước chanh", 0.0, 2 / 5),
])
def test_words_in_capitals_are_counted_apart_from_abbreviations(text, abbreviations, shouted):
    """A headline typed in capitals was read as one with many abbreviations, the mark of sober news
    in the training titles: "SỐC: ... CHIA SẺ NGAY" scored 0.20 sensational, its lower-case twin 0.92."""
    counts = style_counts(text, ())
    assert counts["all_caps"] == pytest.approx(abbreviations) and counts["shouting"] == pytest.approx(shouted)


@pytest.mark.parametrize("name", ["clickbait_phrase", "share_call", "teaser"])
def test_every_lexicon_entry_is_found_however_underthesea_cuts_it(name):
    """An entry of several words ("gây sốc", "cho mọi người") is found whether underthesea keeps it
    as one word or cuts it in two; before, 20 such entries never fired on the training data."""
    from misinfo.features import LEXICON_SIGNALS, lexicon_words

    for entry in sorted(LEXICON_SIGNALS[name]):
        doc = analyse(f"Tin tức: {entry} ở Hà Nội")
        assert entry in lexicon_words(doc.tokens, name), (entry, doc.tokens)


def test_a_lexicon_phrase_is_whole_words_counted_once():
    from misinfo.features import lexicon_words

    # the longest entry at a place wins, and is counted once ("cực sốc", not "cực" + "sốc")
    assert lexicon_words(["cực", "sốc", "hé", "lộ"], "clickbait_phrase") == ["cực sốc", "hé lộ"]
    # an entry is not found inside a longer word, nor across a word it only begins
    assert lexicon_words(["quốc lộ", "cực kỳ"], "clickbait_phrase") == ["cực kỳ"]
    assert lexicon_words(["không thể", "tin", "không", "thể"], "clickbait_phrase") == ["không thể tin"]
    # "nóng" alone is not a call to share (its ReINTEL signal was the "nước nóng" cure, a topic)
    assert lexicon_words(analyse("Uống nước nóng mỗi sáng").tokens, "share_call") == []
    assert lexicon_words(analyse("Tin nóng: chia sẻ cho mọi người").tokens, "share_call") == [
        "tin nóng", "chia sẻ", "cho mọi người"]


def test_style_features_follow_the_estimator_contract():
    est = StyleFeatures(part="body")
    assert clone(est).get_params() == {"part": "body"}
    with pytest.raises(ValueError, match="headline"):
        StyleFeatures(part="title").fit(DOCS)


def test_analyzers_read_tokens_not_text():
    assert "sự thật" in headline_words(DOCS[0])
    assert "quốc hội|thông qua" in body_words(DOCS[1])
    assert " số" in body_chars(DOCS[0])


def test_compact_vectorizer_pickles_to_the_same_transform():
    plain = TfidfVectorizer(analyzer=body_words).fit(DOCS)
    compact = CompactTfidfVectorizer(analyzer=body_words).fit(DOCS)
    restored = pickle.loads(pickle.dumps(compact))
    assert restored.vocabulary_ == plain.vocabulary_
    assert compact.vocabulary_ == plain.vocabulary_  # pickling leaves the original intact
    assert np.allclose(restored.transform(DOCS).toarray(), plain.transform(DOCS).toarray())


@pytest.mark.parametrize("analyzer", [body_words, body_syllables, headline_words])
def test_compact_vectorizer_counts_exactly_as_scikit_learn(analyzer, sample_rows, monkeypatch):
    # scoring counts n-grams from word ids; the matrices must equal scikit-learn's, bit for bit
    monkeypatch.setattr("misinfo.estimators.INDEX_MIN_DOCS", 1)
    docs = [analyse(r["text"], r["title"] or None) for r in sample_rows]
    tricky = [analyse(t) for t in ["", "!!! ... ,", "a|b a b|c", "Sốc | thật | sự", "chia sẻ chia sẻ chia sẻ"]]
    fitted = docs[::2] + tricky[2:]
    plain = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32).fit(fitted)
    compact = CompactTfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32).fit(fitted)
    restored = pickle.loads(pickle.dumps(compact))
    for X in (compact.transform(docs + tricky), restored.transform(docs + tricky)):
        Y = plain.transform(docs + tricky)
        assert X.nnz > 0 and (X != Y).nnz == 0
        assert np.array_equal(X.indptr, Y.indptr) and np.array_equal(X.indices, Y.indices)
    assert "_ngram_index" in compact.__dict__ and "_ngram_index" not in pickle.loads(pickle.dumps(compact)).__dict__


def test_a_short_text_is_read_as_padded_to_min_words_and_a_long_one_as_it_is():
    short, long_ = analyse("Hay quá!"), analyse("Mưa lớn kéo dài ở Hà Nội từ sáng đến trưa nay, hay quá")
    plain = CompactTfidfVectorizer(analyzer=body_words, sublinear_tf=True, dtype=np.float32).fit(DOCS + [short, long_])
    padded = clone(plain).set_params(min_words=8)
    assert clone(padded).get_params()["min_words"] == 8  # a parameter scikit-learn sees and clones
    X = padded.fit_transform(DOCS + [short, long_])
    Y = plain.transform(DOCS + [short, long_])
    assert np.allclose(padded.transform([short, long_]).toarray(), X[-2:].toarray())  # fit_transform == transform
    norms = np.sqrt(X.multiply(X).sum(axis=1)).A.ravel()
    # "hay", "quá": 2 words of 8 -> sqrt(2/8); "!" is not a word; 10 words and more: unchanged
    assert norms[-2] == pytest.approx(0.5) and norms[-1] == pytest.approx(1.0)
    assert np.allclose(X[-2].toarray(), 0.5 * Y[-2].toarray()) and (X[-1] != Y[-1]).nnz == 0
    with pytest.raises(ValueError, match="min_words"):
        clone(plain).set_params(min_words=0).fit_transform(DOCS)


def test_metadata_row_validates_and_marks_unknown_as_nan():
    row = metadata_row(10, None, float("nan"), 1585945439)
    assert row[0] == 10 and math.isnan(row[1]) and math.isnan(row[2]) and row[3] == 1585945439
    with pytest.raises(TypeError, match="likes"):
        metadata_row("10")
    with pytest.raises(ValueError, match="shares"):
        metadata_row(shares=-1)
    with pytest.raises(TypeError, match="published"):
        metadata_row(published="2020-01-01")


def test_naive_datetimes_are_vietnam_time():
    naive = dt.datetime(2020, 4, 3, 20, 0)
    aware = dt.datetime(2020, 4, 3, 13, 0, tzinfo=dt.timezone.utc)
    assert metadata_row(published=naive)[3] == metadata_row(published=aware)[3]


def test_metadata_features_use_local_hour_and_missing_flags():
    ts = dt.datetime(2020, 4, 3, 20, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))).timestamp()
    X = MetadataFeatures().fit_transform([[1, np.nan, 3, ts]])
    names = list(MetadataFeatures().get_feature_names_out())
    row = dict(zip(names, X[0]))
    assert row["hour"] == 20 and row["weekday"] == 4  # a Friday
    assert row["comments_missing"] == 1 and row["likes_missing"] == 0
