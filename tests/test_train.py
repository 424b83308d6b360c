import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from misinfo.evaluate import expected_calibration_error, head_metrics
from misinfo.text import analyse
from misinfo.train import choose_threshold, fit_head, make_head

CLICKBAIT_IDS = {"p002", "p006", "p010", "p014", "p018", "p022", "p026", "p030", "p034", "p036", "p038", "p040"}


@pytest.fixture(scope="module")
def headlines(sample_rows, guard_texts):
    rows = [r for r in sample_rows if r["title"]]
    docs = [analyse(r["title"]) for r in rows] + [analyse(t.split(",")[0]) for t in guard_texts[:20]]
    y = np.array([int(r["id"] in CLICKBAIT_IDS) for r in rows] + [0] * 20)
    return docs, y


def test_a_head_trains_end_to_end_on_a_small_fixture(headlines):
    docs, y = headlines
    stack, threshold, proba = fit_head("sensational", docs, y, seed=1)
    assert 0 < threshold < 1 and proba.shape == (len(y),)
    scores = stack.predict_proba(docs)[:, 1]
    assert scores[y == 1].mean() > scores[y == 0].mean()


def test_training_is_deterministic(headlines):
    docs, y = headlines
    a = fit_head("sensational", docs, y, seed=3)
    b = fit_head("sensational", docs, y, seed=3)
    assert a[1] == b[1] and np.array_equal(a[2], b[2])


def test_unknown_task_or_tier_is_refused():
    with pytest.raises(ValueError, match="task"):
        make_head("spam")
    with pytest.raises(ValueError, match="tier"):
        make_head("sensational", "huge")


def test_single_class_is_refused(headlines):
    docs, _ = headlines
    with pytest.raises(ValueError, match="two classes"):
        make_head("sensational").fit(docs, np.zeros(len(docs)))


def test_choose_threshold_best_f1_and_target_precision():
    y = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    p = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.65, 0.4])
    assert choose_threshold(y, p) == 0.4
    assert choose_threshold(y, p, target_precision=1.0) == 0.7
    with pytest.raises(ValueError, match="precision"):
        choose_threshold([0, 1], [0.9, 0.1], target_precision=1.0)


def test_threshold_is_the_middle_of_the_near_best_cuts():
    from sklearn.metrics import f1_score

    # F1 at the cuts 0.9 .. 0.1: .29 .50 .67 .80 .73 .67 .77 .71 .80; within 0.05 of the best:
    # 0.6, 0.3 and 0.1, so the middle one, 0.3 (the maximum alone would be 0.6 or 0.1)
    y = np.array([1, 1, 1, 1, 0, 0, 1, 0, 1])
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
    assert choose_threshold(y, p, plateau=0.05) == 0.3
    # the same rule against scikit-learn's F1 and macro-F1 on random scores with ties
    rng = np.random.default_rng(0)
    for _ in range(30):
        p = rng.integers(0, 40, 80) / 40
        y = (rng.random(80) < p).astype(int)
        for objective, average in (("f1", "binary"), ("macro_f1", "macro")):
            cuts = np.unique(p)[::-1]
            f1 = np.array([f1_score(y, p >= c, average=average) for c in cuts])
            near = cuts[f1 >= f1.max() - 0.02 - 1e-12]
            assert choose_threshold(y, p, objective=objective, plateau=0.02) == near[len(near) // 2]
    with pytest.raises(ValueError, match="plateau"):
        choose_threshold(y, p, plateau=1)


def test_threshold_flags_the_row_it_was_chosen_at():
    # the best cut is at 0.3135308 (both positives flagged, no negative); rounded to six decimals
    # *up* (0.313531), it would miss that row
    y = np.array([1, 1, 0, 0])
    p = np.array([0.9, 0.3135308, 0.2, 0.1])
    t = choose_threshold(y, p, plateau=0)
    assert t == 0.31353 and ((p >= t) == (y == 1)).all()
    assert choose_threshold(y, p, target_precision=1.0) == t


def test_opening_threshold_keeps_the_flag_budget_as_written():
    from misinfo.train import FLAG_BUDGET, _opening_threshold

    # 100 reliable posts read by their opening line: the budget (18) is met from the score
    # 0.5000004 up; a post at 0.5000001 just under it would make 19 if the threshold were written
    # rounded to nearest (0.5)
    scores = np.r_[np.full(17, 0.9), 0.5000004, 0.5000001, np.full(81, 0.1)]
    t = _opening_threshold(scores, ["opening"] * 100, np.zeros(100, bool), 0.3)
    assert t == 0.500001 and (scores >= t).mean() <= FLAG_BUDGET


def test_metrics_match_scikit_learn_and_ece_is_zero_when_perfect():
    from sklearn.metrics import f1_score, roc_auc_score

    y = np.array([0, 1, 0, 1, 1, 0])
    p = np.array([0.2, 0.9, 0.4, 0.6, 0.3, 0.1])
    m = head_metrics(y, p, 0.5)
    assert m["roc_auc"] == roc_auc_score(y, p)
    assert m["macro_f1"] == f1_score(y, p >= 0.5, average="macro")
    assert expected_calibration_error([0, 0, 1, 1], [0.0, 0.0, 1.0, 1.0]) == 0.0
    assert expected_calibration_error([0, 0], [0.9, 0.9]) == pytest.approx(0.9)


def test_labelled_csv_is_read_as_the_batch_reads_exports(tmp_path):
    # retraining takes the same real exports as scoring: BOM, UTF-16, ";" or tab, CRLF, multiline cells
    from misinfo.train import read_labelled

    rows = [["text", "label", "likes"], ["Tin nóng: 5 người\nbị thương", "1", "12"], ["Thuỷ điện xả lũ; dân sơ tán", "0", ""]]

    def write(name, encoding, delimiter, newline):
        body = newline.join(delimiter.join('"' + c.replace('"', '""') + '"' for c in r) for r in rows) + newline
        (tmp_path / name).write_bytes(body.encode(encoding))
        return read_labelled(tmp_path / name, task="misinformation", text_column="text", label_column="label",
                             metadata_columns=("likes", None, None, None))

    plain = write("plain.csv", "utf-8", ",", "\n")
    assert plain.texts == ["Tin nóng: 5 người\nbị thương", "Thuỷ điện xả lũ; dân sơ tán"] and plain.y == [1, 0]
    assert [w.rsplit(":", 1)[1] for w in plain.where] == ["3", "4"]  # the line a record ends on
    for name, encoding, delimiter, newline in [("bom.csv", "utf-8-sig", ";", "\r\n"), ("excel.txt", "utf-16", "\t", "\r\n")]:
        other = write(name, encoding, delimiter, newline)
        assert (other.texts, other.y, other.split) == (plain.texts, plain.y, plain.split), name
        assert np.array_equal(np.array(other.meta), np.array(plain.meta), equal_nan=True)

    import unicodedata

    # an export in the old Windows encoding (tone marks as combining characters), as score reads it
    (tmp_path / "cp1258.csv").write_bytes(unicodedata.normalize("NFD", "text;label\nTin nóng;1\nHoà bình;0\n").encode("cp1258"))
    legacy = read_labelled(tmp_path / "cp1258.csv", task="misinformation", text_column="text", label_column="label",
                           encoding="cp1258", delimiter=";")
    assert [unicodedata.normalize("NFC", t) for t in legacy.texts] == ["Tin nóng", "Hoà bình"] and legacy.y == [1, 0]
    (tmp_path / "legacy.csv").write_bytes("text,label\nTin,1\n".encode() + "Hoà,0\n".encode("cp1258"))
    with pytest.raises(ValueError, match=r"legacy.csv:3 has bytes that are not utf-8"):
        read_labelled(tmp_path / "legacy.csv", task="misinformation", text_column="text", label_column="label")
    # cells as large as scoring takes (over the csv module's default 131,072), and the limit restored
    import csv

    import misinfo.csvio

    (tmp_path / "huge.csv").write_text("text,label\nTin,1\n\"" + "a" * 200_000 + "\",0\n", encoding="utf-8")
    limit = csv.field_size_limit()
    assert read_labelled(tmp_path / "huge.csv", task="misinformation", text_column="text", label_column="label").texts[1] == "a" * 200_000
    assert csv.field_size_limit() == limit
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(misinfo.csvio, "FIELD_SIZE_LIMIT", 100_000)
        with pytest.raises(ValueError, match=r"huge.csv:3: unreadable CSV: field larger than field limit"):
            read_labelled(tmp_path / "huge.csv", task="misinformation", text_column="text", label_column="label")
    assert csv.field_size_limit() == limit
    # a header naming the label column twice is refused, as the batch refuses it
    (tmp_path / "twice.csv").write_text("text,label,label\nTin,1,0\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"twice.csv: label_column 'label' names 2 columns"):
        read_labelled(tmp_path / "twice.csv", task="misinformation", text_column="text", label_column="label")


def test_labelled_rows_that_an_unclosed_quote_merged_are_refused(tmp_path):
    # a quote never closed would make the rest of the file one training text, with one label
    from misinfo.train import read_labelled

    (tmp_path / "u.csv").write_text('text,label\n"Sốc thật,1\nTin chính thức,0\nTin khác,1\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"u.csv:2: unreadable CSV: unclosed quote.*lines 2–4"):
        read_labelled(tmp_path / "u.csv", task="misinformation", text_column="text", label_column="label")


def test_viclickbait_titles_lose_the_aggregator_s_publisher_and_section(tmp_path):
    # Báo Mới appends who published a title; that names the outlet (a label cue), not the style
    from misinfo.train import read_viclickbait
    root = tmp_path / "viclickbait-2025"
    root.mkdir()
    (root / "split.csv").write_text("id,split\n1,train\n2,train\n3,test\n", encoding="utf-8")
    (root / "clickbait_dataset_vietnamese.csv").write_text(
        "id,title,source,label\n"
        "1,Canada bình thường lại với Ấn Độ - Chuyên trang An Ninh Thế Giới - Báo Công an Nhân dân,Báo Mới,non-clickbait\n"
        "2,MU đừng bán Amad - Báo Pháp Luật TP.HCM,Báo Mới,clickbait\n"
        "3,Cao tốc TP HCM - Đồng Nai thông xe,VnExpress,non-clickbait\n", encoding="utf-8")
    data = read_viclickbait(tmp_path)
    assert [d.headline for d in data.docs] == ["Canada bình thường lại với Ấn Độ", "MU đừng bán Amad",
                                               "Cao tốc TP HCM - Đồng Nai thông xe"]
    assert list(data.y) == [0, 1, 0] and list(data.split) == ["train", "train", "test"]


def test_news_articles_are_the_non_clickbait_ones_read_with_their_lead(tmp_path):
    # the misinformation head's check on sober news: each article as its title and lead paragraph
    from misinfo.train import read_news_articles
    root = tmp_path / "viclickbait-2025"
    root.mkdir()
    (root / "split.csv").write_text("id,split\n1,train\n2,train\n3,val\n4,test\n", encoding="utf-8")
    (root / "clickbait_dataset_vietnamese.csv").write_text(
        "id,title,lead_paragraph,category,source,label\n"
        "1,Iran tấn công Israel - Báo Tin Tức TTXVN,Iran phóng tên lửa vào Israel rạng sáng nay.,Quốc tế,Báo Mới,non-clickbait\n"
        "2,Sự thật gây sốc về chuối,Ít ai biết điều này.,Sức khỏe & Đời sống,24h,clickbait\n"
        "3,Giá xăng giảm,,Kinh doanh & Kinh tế,VnExpress,non-clickbait\n"
        "4,Bộ trưởng bị kỷ luật,Ban Bí thư kỷ luật Bộ trưởng vì vi phạm.,Chính trị & An ninh,VnExpress,non-clickbait\n",
        encoding="utf-8")
    news = read_news_articles(tmp_path)
    assert [d.headline for d in news.docs] == ["Iran tấn công Israel", "Bộ trưởng bị kỷ luật"]
    assert [d.body.split("\n", 1)[1] for d in news.docs] == ["Iran phóng tên lửa vào Israel rạng sáng nay.",
                                           "Ban Bí thư kỷ luật Bộ trưởng vì vi phạm."]
    assert news.categories == ["Quốc tế", "Chính trị & An ninh"] and news.split == ["train", "test"]


def test_the_card_names_the_news_topics_flagged_more_than_reliable_posts():
    from misinfo.train import _news_section

    def tier(international, sport):
        return {"test_metrics": {"news_articles": {
            "n": 300, "misinformation_flagged": 0.05, "reliable_posts_misinformation_flagged_text_only": 0.08,
            "by_category": {"Quốc tế": {"n": 100, "misinformation_flagged": international},
                            "Thể thao": {"n": 200, "misinformation_flagged": sport}}}}}

    card = _news_section({"fast": tier(0.094, 0.01), "accurate": tier(0.05, 0.02)})
    assert "| Quốc tế (international) | 100 | 9.4% | 5.0% |" in card
    assert "| all | 300 | 5.0% | 5.0% |" in card
    assert "more often than reliable posts: `fast`: international 9.4%." in card
    assert "sport 1.0%." not in card and "`accurate`:" not in card.split("more often")[1]
    assert "No topic is flagged more often" in _news_section({"fast": tier(0.02, 0.01)})
    assert _news_section({"fast": {"test_metrics": {}}}) == ""


def test_the_card_gives_each_head_s_flag_rate_on_short_messages(monkeypatch):
    from misinfo import train

    def tier(mis, sen):
        return {"test_metrics": {"short_messages": {"n": 80, "misinformation_flagged": mis, "sensational_flagged": sen}}}

    card = train._short_section({"fast": tier(0.0, 0.3125), "accurate": tier(0.0125, 0.5)})
    assert "holds 80 everyday messages" in card
    assert "`fast`: misinformation 0.0%, sensational 31.2%; `accurate`: misinformation 1.2%, sensational 50.0%." in card
    assert "fewer than 8 words as if padded" in card
    monkeypatch.setattr(train, "MIN_WORDS_MISINFORMATION", None)  # a build without padding does not claim it
    assert "padded" not in train._short_section({"fast": tier(0.0, 0.3)})
    assert train._short_section({"fast": {"test_metrics": {}}}) == ""


@pytest.fixture(scope="module")
def reposted(sample_rows, guard_texts):
    """Distinct one-line texts, each also reposted with a call to share, with labels that are coin
    flips: nothing about the text predicts them, so out-of-fold scores that rank them learned the copy."""
    lines = guard_texts + [r["title"] for r in sample_rows] + [r["text"].split("\n")[0] for r in sample_rows]
    texts = list(dict.fromkeys(t.strip() for t in lines if t.strip()))
    y = np.random.default_rng(0).integers(0, 2, len(texts))
    docs = [analyse(t) for t in texts] + [analyse(t + " Chia sẻ ngay!") for t in texts]
    return docs, np.r_[y, y]


def test_out_of_fold_scores_do_not_learn_from_a_repost_of_the_same_text(reposted):
    from sklearn.metrics import roc_auc_score

    docs, y = reposted
    auc = {near: roc_auc_score(y, make_head("sensational").set_params(near_duplicate=near).fit(docs, y)
                               .validation_proba()) for near in (None, 0.7)}
    assert auc[None] > 0.8  # folds that split a text from its repost score the labels they memorised
    assert auc[0.7] < 0.65


def test_near_duplicates_are_grouped_and_distinct_texts_are_not(reposted):
    from misinfo.stack import near_duplicate_groups

    docs, _ = reposted
    n = len(docs) // 2
    groups = near_duplicate_groups(docs + [analyse(""), analyse("   ")])
    assert np.array_equal(groups[:n], groups[n:2 * n])  # each text with its repost
    assert len(set(groups[:n])) == n  # and no two different texts together
    assert len(set(groups)) == n + 2  # empty texts are alike in nothing


def test_too_few_distinct_texts_is_a_clear_error():
    docs = [analyse("Giá xăng giảm mạnh từ chiều nay, người dân phấn khởi")] * 6 + [
        analyse("Bộ Y tế công bố thêm ca bệnh mới tại Hà Nội")] * 6
    with pytest.raises(ValueError, match="distinct texts"):
        make_head("sensational").fit(docs, np.r_[np.zeros(6), np.ones(6)])


#: Six unrelated stories, for heads fitted on a training set as small as the stack allows.
SIX_STORIES = ["Giá xăng giảm mạnh từ chiều nay", "Bộ Y tế công bố thêm ca bệnh mới", "Uống nước chanh diệt virus, chia sẻ ngay",
               "Hà Nội khởi công cầu mới bắc qua sông Hồng", "Nghe nói tối nay cắt điện toàn thành phố", "Lá đu đủ chữa khỏi ung thư"]


def test_a_calibrator_with_fewer_stories_than_folds_splits_fewer_folds():
    # enough for the stack's five folds, fewer than five stories inside each
    docs = [analyse(t) for t in SIX_STORIES] * 3
    meta = np.tile([[10.0, 2.0, 1.0, 1.7e9]], (18, 1)) * np.arange(1, 19)[:, None]
    proba = make_head("misinformation").fit(docs, np.tile([0, 1], 9), meta=meta).predict_proba(docs, meta)
    assert proba.shape == (18, 2) and np.isfinite(proba).all()


def test_rows_without_counts_are_validated_as_they_are_scored_by_the_text_model():
    """Thresholds are chosen on the scores rows will get: a row with a time and no counts is
    scored by the text model, so its validation score is the text model's too."""
    docs = [analyse(f"{t} ({k})") for k in range(4) for t in SIX_STORIES]
    meta = np.tile([[10.0, 2.0, 1.0, 1.7e9]], (24, 1)) * np.arange(1, 25)[:, None]
    meta[::3, :3] = np.nan  # a time, no counts
    head = make_head("misinformation").fit(docs, np.tile([0, 1], 12), meta=meta)
    with_meta, text = head.validation_proba(meta_known=True), head.validation_proba()
    assert np.array_equal(with_meta[::3], text[::3])
    assert not np.array_equal(np.delete(with_meta, np.s_[::3]), np.delete(text, np.s_[::3]))
    assert np.array_equal(head.predict_proba(docs[::3], meta[::3]), head.predict_proba(docs[::3]))


def test_a_row_with_some_counts_is_read_from_the_counts_it_has():
    """Labels follow the comment count, and the only rows in training with comments unknown are a
    crawl's: a time, no counts, all positive.  A caller who knows likes alone (which follow the
    comments here) must be read from the likes, not as that crawl: the metadata model also learns
    each complete row with only some of its counts."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    n = 180
    likes = rng.lognormal(5, 1.5, n)
    comments = likes * 0.1 * rng.lognormal(0, 0.3, n)
    y = (comments > np.median(comments)).astype(int)
    meta = np.column_stack([likes, comments, likes * 0.05 * rng.lognormal(0, 1, n), np.full(n, 1.7e9)])
    crawl = np.tile([[np.nan, np.nan, np.nan, 1.7e9]], (30, 1))
    docs = [analyse(f"{SIX_STORIES[k % 6]} ({k})") for k in range(n + 30)]
    head = make_head("misinformation").fit(docs, np.r_[y, np.ones(30, dtype=int)], meta=np.vstack([meta, crawl]))
    likes_only = meta.copy()
    likes_only[:, 1:3] = np.nan
    proba = head.predict_proba(docs[:n], likes_only)[:, 1]
    assert roc_auc_score(y, proba) > 0.95  # before: 0.5, every row read as the crawl
    assert abs(proba.mean() - y.mean()) < 0.1  # before: 0.997


def test_the_shipped_build_keeps_identical_texts_once_as_misinfo_train_does():
    from misinfo.train import Dataset

    texts = ["Tin A", "Tin  A", "Tin B", "Tin A", "Tin B", "Tin C", "Tin D"]
    data = Dataset("t", [f"r{i}" for i in range(7)], [analyse(t) for t in texts], np.array([1, 1, 0, 0, 1, 0, 1]),
                   np.array(["train"] * 6 + ["test"]), None, "", texts)
    docs, y, meta, ids = data.part("train", unique=True)
    assert ids == ["r0", "r5"] and y.tolist() == [1, 0]  # "Tin A" x3, majority 1; "Tin B" tied, dropped
    assert data.part("train")[3] == [f"r{i}" for i in range(6)]  # measuring reads every row
    assert data.rows("train", unique=True).tolist() == [0, 5] and data.rows("test").tolist() == [6]


def test_the_sensational_head_also_learns_headlines_typed_without_diacritics(reposted):
    from sklearn.metrics import roc_auc_score

    docs, y = reposted
    n = len(docs) // 2
    docs, y = docs[:n], y[:n]  # distinct texts with coin-flip labels
    stack = make_head("sensational").set_params(near_duplicate=None).fit(docs, y)
    assert stack.unmarked_copies and len(stack.validation_proba()) == n  # the originals' scores
    # each copy is held out with its original: nothing to memorise, so coin flips stay coin flips
    assert roc_auc_score(y, stack.validation_proba()) < 0.65
    vocabulary = {name: set(est.steps[0][1].transformer_list[0][1].vocabulary_)
                  for name, est in [("with", stack.base_estimators_[0][1]),
                                    ("without", make_head("sensational").set_params(unmarked_copies=False)
                                     .fit(docs, y).base_estimators_[0][1])]}
    assert "tang" in vocabulary["with"] and "tăng" in vocabulary["with"]
    assert "tang" not in vocabulary["without"] and "tăng" in vocabulary["without"]


class _RecordsItsFolds(ClassifierMixin, BaseEstimator):
    """A final estimator that splits folds of its own, as ``CalibratedClassifierCV`` does; it
    records the folds it was given."""

    def __init__(self, cv=3):
        self.cv = cv

    def fit(self, Z, y):
        self.folds_ = self.cv
        self.model_ = LogisticRegression().fit(Z, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, Z):
        return self.model_.predict_proba(Z)

    def predict(self, Z):
        return self.model_.predict(Z)


def test_a_final_estimator_with_folds_of_its_own_keeps_each_text_with_its_copy(reposted):
    docs, y = reposted
    n = len(docs) // 2
    stack = make_head("sensational").set_params(near_duplicate=None, final_estimator=_RecordsItsFolds()).fit(
        docs[:n], y[:n])
    assert stack.final_text_.cv == 3  # the fitted model keeps no fold indices
    folds = stack.final_text_.folds_
    assert len(folds) == 3 and sorted(np.concatenate([test for _, test in folds]).tolist()) == list(range(2 * n))
    for _, test in folds:  # rows n.. are the copies typed without diacritics
        held = np.isin(np.arange(2 * n), test)
        assert np.array_equal(held[:n], held[n:])


def _write_csv(path, header, rows):
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def test_the_shipped_models_build_end_to_end_on_a_miniature_of_the_datasets(tmp_path, sample_rows, guard_texts):
    """scripts/retrain_default_models.sh runs for most of an hour on the real data, so a break in
    it (the build once scored its test split through uncompiled heads, which reasons cannot read)
    would only show at the next rebuild.  The same code on ~140 posts and ~120 titles: it must
    write a model directory that loads and scores, and a card."""
    import json

    import misinfo
    from misinfo import train
    from misinfo.train import build_default_models

    rng = np.random.default_rng(0)
    hoaxes = [r["text"] for r in sample_rows if r["id"] in CLICKBAIT_IDS]
    news = [t for t in guard_texts] + [r["text"] for r in sample_rows if r["id"] not in CLICKBAIT_IDS]
    posts = [(t + " Chia sẻ ngay!!!", 1) for t in hoaxes] + [(t.replace(".", "!!! Hãy chia sẻ."), 1) for t in hoaxes] + \
        [(t, 0) for t in news]
    reintel = tmp_path / "reintel-vlsp2020"
    reintel.mkdir()
    _write_csv(reintel / "public_train.decoded-utf8.csv",
               ["id", "user_name", "post_message", "timestamp_post", "num_like_post", "num_comment_post",
                "num_share_post", "label"],
               [[f"r{i}", "u", text, 1585945439 + 3600 * i, int(rng.integers(0, 900)), int(rng.integers(0, 90)),
                 int(rng.integers(0, 400)), label] for i, (text, label) in enumerate(posts)])
    _write_csv(reintel / "split.csv", ["id", "split"],
               [[f"r{i}", "test" if i % 5 == 0 else "train"] for i in range(len(posts))])
    titles = [(r["title"], int(r["id"] in CLICKBAIT_IDS)) for r in sample_rows if r["title"]] + \
        [(t.split(",")[0], 0) for t in guard_texts] + [(f"Sốc: {t.split(',')[0][:40]}… khiến ai cũng ngỡ ngàng!", 1)
                                                         for t in guard_texts[:30]]
    clickbait = tmp_path / "viclickbait-2025"
    clickbait.mkdir()
    _write_csv(clickbait / "clickbait_dataset_vietnamese.csv",
               ["id", "url", "title", "lead_paragraph", "category", "publish_datetime", "source", "thumbnail_url", "label"],
               [[f"c{i}", "", title, "Nội dung bài báo.", "Thời sự", "", "VnExpress", "",
                 "clickbait" if label else "non-clickbait"] for i, (title, label) in enumerate(titles)])
    _write_csv(clickbait / "split.csv", ["id", "split"],
               [[f"c{i}", ("test", "val", "train", "train", "train")[i % 5]] for i in range(len(titles))])

    results = build_default_models(tmp_path, tmp_path / "models", tiers=("fast",), log=lambda *_: None)
    out = tmp_path / "models" / "fast"
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    # the guard set and the short messages are read from the source tree's data/, where a build runs
    checks = {"guard_set_flagged", "short_messages"} if train.SHORT_MESSAGES.is_file() else set()
    assert meta["model_version"] == results["fast"]["model_version"] and set(meta["test_metrics"]) >= {
        "misinformation_with_metadata", "sensational", "reliable_posts_flagged", "news_articles", *checks}
    model = misinfo.load_model(out)
    hoax, plain = model.score_many([posts[0][0], news[0]])
    assert hoax.misinformation > plain.misinformation
    assert "`fast`" in (tmp_path / "models" / "MODEL_CARD.md").read_text(encoding="utf-8")
