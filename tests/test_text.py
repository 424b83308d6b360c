import unicodedata
from pathlib import Path

import pytest
from underthesea import text_normalize

from misinfo.features import style_counts
from misinfo.text import MAX_CHARS, Doc, analyse, clean, word_tokenize

SENTENCES = [
    "Thuỷ điện Hoà Bình xả lũ, người dân vùng hạ du cần chú ý.",
    "Bộ Y tế khuyến cáo người dân giữ gìn sức khoẻ trong mùa dịch.",
    "Nữ ca sĩ bật khóc khi nhắc về quá khứ khó khăn!",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_nfc_and_nfd_give_the_same_doc(text):
    assert analyse(unicodedata.normalize("NFD", text)) == analyse(unicodedata.normalize("NFC", text))


def test_old_and_new_tone_marks_give_the_same_tokens():
    old = analyse("Hoà bình, thuỷ lợi và sức khoẻ của người dân")
    new = analyse("Hòa bình, thủy lợi và sức khỏe của người dân")
    assert old.tokens == new.tokens


def _bundled_texts():
    import csv

    data = Path(__file__).resolve().parent.parent / "data"
    texts = []
    for name in ("sample_posts.csv", "guard_critical_news.csv", "short_messages.csv"):
        with open(data / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                texts += [row["text"], row.get("title") or ""]
    return texts


AWKWARD = [
    "", "   ", "\n\n", "!!!", "😀😀😀", "TP.HCM 25/8/2020 lúc 7h30, giá 1.234.567đ (≈ 50 USD)",
    "Xem https://x.vn/a?b=1 hoặc gọi 0912.345.678 / +84 912 345 678 — a.b@c.com @ten #tag",
    "VIỆT NAM VÔ ĐỊCH!!! Chia sẻ ngay kẻo muộn...", "Thuỷ điện Hoà Bình xả lũ", "Ăn Ấy ỏ ừ ơ",
    unicodedata.normalize("NFD", "Người dân cần chú ý an toàn khi đi đường"), "a" * 3000, "Covid-19 ở Đà Nẵng; F0, F1…",
]


def test_word_tokenize_gives_underthesea_tokens_exactly():
    # misinfo's segmenter trims underthesea's Python layer; the words must not change
    from underthesea import word_tokenize as underthesea_word_tokenize

    texts = SENTENCES + AWKWARD + _bundled_texts()
    assert len(texts) > 200
    for text in texts:
        assert word_tokenize(text) == underthesea_word_tokenize(text), text[:80]


def test_segmenter_only_loads_less_of_underthesea_and_gives_the_same_tokens(tmp_path):
    # what the misinfo command and its batch workers do; the rest of underthesea still works after
    import json
    import subprocess
    import sys

    texts = SENTENCES + AWKWARD
    code = ("import json, sys\n"
            "from misinfo.text import segmenter_only, word_tokenize\n"
            "segmenter_only()\n"
            "tokens = [word_tokenize(t) for t in json.loads(sys.stdin.read())]\n"
            "lean = sorted(m for m in sys.modules if m.startswith('underthesea.pipeline.'))\n"
            "import underthesea\n"
            "tagged = underthesea.pos_tag('Bác sĩ nói')\n"
            "print(json.dumps([tokens, lean, tagged]))\n")
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), cwd=tmp_path, check=True,
                         capture_output=True, text=True).stdout
    tokens, lean, tagged = json.loads(out)
    assert tokens == [word_tokenize(t) for t in texts]
    assert lean and not [m for m in lean if m.split(".")[2] not in ("word_tokenize", "text_normalize")], lean
    assert [word for word, _ in tagged] == ["Bác sĩ", "nói"]


@pytest.mark.parametrize("text", SENTENCES)
def test_tokens_already_carry_underthesea_text_normalize(text):
    # word_tokenize applies text_normalize's token rules itself, so misinfo skips a second pass
    assert word_tokenize(text) == word_tokenize(text_normalize(text))


def test_placeholders_replace_urls_emails_phones_numbers_emoji_mentions_hashtags():
    doc = analyse("Xem https://abc.vn/x?y=1 gọi 0912 345 678 hoặc a.b@c.com, giá 12.500đ 😀😀 @nam #covid19 <URL>")
    for word in ("xurl", "xphone", "xemail", "xemoji", "xmention", "xhashtag", "covid19"):
        assert word in doc.tokens, word
    assert doc.tokens.count("xurl") == 2
    assert "abc.vn" not in " ".join(doc.tokens)


def test_reintel_anonymised_contacts_read_as_the_real_thing():
    # ReINTEL replaced links, phone numbers and addresses by <URL>, <PHONE> and <EMAIL>: training
    # must see the placeholders that real posts get at scoring time, not "<", "phone", ">"
    anonymised = analyse("Liên hệ <PHONE> hoặc <EMAIL>, xem <URL> nhé")
    real = analyse("Liên hệ 0912 345 678 hoặc ban.doc@bao.vn, xem https://bao.vn/a nhé")
    assert anonymised.tokens == real.tokens
    assert anonymised.tokens.count("xphone") == anonymised.tokens.count("xemail") == 1
    assert style_counts(anonymised.body, anonymised.tokens) == style_counts(real.body, real.tokens)


@pytest.mark.parametrize("crawled, written", [
    # a crawler's Markdown link reads as the link (once) or as its text and the link
    ("Chi tiết tại [https://bao.vn/a](https://bao.vn/a)", "Chi tiết tại https://bao.vn/a"),
    ("Chi tiết tại [<URL>](<URL>)", "Chi tiết tại https://bao.vn/a"),
    ("Đọc [bài gốc của Bộ Y tế](https://moh.gov.vn/x) nhé", "Đọc bài gốc của Bộ Y tế https://moh.gov.vn/x nhé"),
    # Facebook's "See more" where the crawler cut a long post is not part of the post
    ("Bộ Y tế khuyến cáo người dân đeo khẩu trang… Xem thêm", "Bộ Y tế khuyến cáo người dân đeo khẩu trang"),
    ("Bộ Y tế khuyến cáo người dân đeo khẩu trang. Xem thêm ", "Bộ Y tế khuyến cáo người dân đeo khẩu trang."),
])
def test_how_a_post_was_crawled_does_not_change_what_is_read(crawled, written):
    a, b = analyse(crawled), analyse(written)
    assert a.tokens == b.tokens
    assert style_counts(a.body, a.tokens) == style_counts(b.body, b.tokens)


@pytest.mark.parametrize("styled", ["Cô gái nói “không thể tin nổi” – Hà Nội", "Cô gái nói ‘không thể tin nổi’ — Hà Nội",
                                    "Cô gái nói 'không thể tin nổi' ‒ Hà Nội", "Cô gái nói «không thể tin nổi» - Hà Nội"])
def test_quote_marks_and_dashes_are_house_style(styled):
    plain = analyse('Cô gái nói "không thể tin nổi" - Hà Nội')
    assert analyse(styled).tokens == plain.tokens
    assert analyse(styled).headline == plain.headline


def test_an_apostrophe_inside_a_word_stays():
    assert clean("O’Neil và McDonald's") == "O'Neil và McDonald's"


def test_see_more_in_the_middle_of_a_post_is_the_author_s_words():
    assert analyse("Xem thêm: https://bao.vn/a về dịch bệnh").tokens[:3] == ("xem", "thêm", ":")
    assert analyse("[Tin nóng] Mưa lớn ở Hà Nội").tokens[:3] == ("[", "tin", "nóng")


def test_numbers_are_mapped_but_words_with_digits_are_kept():
    assert "xnum" in clean("ngày 25/8 có 277.400 nhà")
    assert "9X" in clean("Chàng trai 9X")


@pytest.mark.parametrize("bad", [None, b"bytes", 12, ["a"]])
def test_non_text_is_a_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        analyse(bad)


def test_title_must_be_text_too():
    with pytest.raises(TypeError, match="title"):
        analyse("ok", title=3)


@pytest.mark.parametrize("text", ["", "   \n\t  ", "\u200b\ufeff"])
def test_empty_and_whitespace_give_an_empty_doc(text):
    assert analyse(text).empty


@pytest.mark.parametrize("text", [
    "lone \ud800 surrogate \udfff here",
    "control \x00\x01\x07\x1b chars",
    "mixed Tiếng Việt, English, 中文, русский, العربية",
    "😀😂🤣❤️👍🏽🇻🇳",
    "\u0301\u0300 combining marks alone",
])
def test_hostile_text_does_not_crash(text):
    doc = analyse(text)
    assert isinstance(doc, Doc)
    "".join(doc.tokens).encode("utf-8")  # no lone surrogates survive


def test_long_text_is_cut_at_the_documented_limit():
    doc = analyse("tin giả " * (MAX_CHARS // 4))
    assert doc.truncated
    assert len(doc.body) <= MAX_CHARS + 1
    assert not analyse("tin giả").truncated


def test_headline_is_title_or_whole_line_or_opening():
    assert analyse("Tiêu đề ngắn").headline_kind == "text"
    assert analyse("Nội dung", title="Tiêu đề").headline_kind == "title"
    post = analyse("Dòng đầu tiên của bài.\nPhần thân bài viết dài hơn.")
    assert post.headline_kind == "opening"
    assert post.headline_tokens == tuple(analyse("Dòng đầu tiên của bài.").tokens)


@pytest.mark.parametrize("junk", ["🔥", "⚠️⚠️⚠️", ".", "1.", "—", "#", "🔥\n\n1."])
def test_a_first_line_without_a_word_is_not_the_headline(junk):
    """Posts often begin with a line of emoji or a number; the headline is the first line with a
    word, and the lines passed over stay in the text."""
    post = "Sốc!!! Sự thật khiến ai cũng ngỡ ngàng\nBác sĩ cho biết uống nước chanh giúp diệt virus."
    doc, plain = analyse(junk + "\n" + post), analyse(post)
    assert doc.headline == plain.headline and doc.headline_tokens == plain.headline_tokens
    assert doc.headline_kind == "opening"
    assert set(analyse(junk).tokens) <= set(doc.tokens)


def test_a_text_of_lines_without_words_keeps_its_first_line_as_headline():
    doc = analyse("🔥\n😀\n1.")
    assert doc.headline_tokens == ("xemoji",) and doc.tokens == ("xemoji", "xemoji", "xnum", ".")


@pytest.mark.parametrize("brk", ["\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_every_line_break_ends_the_first_line(brk):
    assert analyse("Ngon quá" + brk + "Quán phở mới mở, giá 40 nghìn.") == analyse("Ngon quá\nQuán phở mới mở, giá 40 nghìn.")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u034f", "\u200e"])
def test_invisible_characters_inside_words_are_deleted(invisible):
    hoax = "Uống nước chanh nóng diệt được virus corona, chia sẻ ngay!"
    hidden = " ".join(w[:1] + invisible + w[1:] if len(w) > 1 else w for w in hoax.split(" "))
    assert analyse(hidden) == analyse(hoax)


@pytest.mark.parametrize("blank", ["\n", " ", "\u200b", "\xa0", "\t"])
def test_blanks_a_text_begins_with_do_not_count_towards_the_limit(blank):
    doc = analyse(blank * (MAX_CHARS + 10) + "Tin nóng: uống nước chanh diệt virus")
    assert not doc.truncated and doc.tokens == analyse("Tin nóng: uống nước chanh diệt virus").tokens
    assert analyse("Tin nóng", title=blank * (MAX_CHARS + 10)) == analyse("Tin nóng")


def test_a_long_first_line_is_cut_at_a_sentence_end():
    text = "Câu mở đầu rất ngắn. " + "Phần còn lại của dòng rất dài " * 20
    doc = analyse(text)
    assert doc.headline == "Câu mở đầu rất ngắn."
    assert doc.headline_kind == "opening"


def test_placeholders_stay_single_tokens_even_when_the_segmenter_glues_them():
    doc = analyse("cảnh báo khẩn 😀 ngay")
    assert "xemoji" in doc.tokens and not any(" xemoji" in t or "xemoji " in t for t in doc.tokens)


# What the text pipeline makes of PROBES, recorded per misinfo.text.PIPELINE_VERSION.  The tokens
# here are the cleaned text split at blanks, so the fingerprint covers misinfo's own reading
# (cleaning, placeholders, headline, n-grams, style signals, metadata), not underthesea's.
PIPELINE_FINGERPRINTS = {2: "5e21e1462e3a46b2", 3: "3e68270ef4b294ff", 4: "52998c22a195504a", 5: "43af4202fd3b6346"}
PROBES = [
    "SỐC!!! Sự thật về “thuốc thần” – chia sẻ ngay kẻo muộn 😱😱 #covid @bộytế",
    "Liên hệ 0912.345.678 hoặc <PHONE>, email a.b@x.vn hoặc <EMAIL>, xem https://x.vn/a?b=1 và <URL>",
    "Giá vàng hôm nay 25/8 tăng 1.250.000 đồng/lượng; lãi suất 6,5% — ‘bất ngờ’ ở Hà Nội's chợ",
    "Bài viết [Bộ Y tế khuyến cáo](https://moh.gov.vn/x) và [<URL>](<URL>) … Xem thêm",
    "Đây là một dòng rất dài " * 12 + ". Câu thứ hai? Có! \n Dòng sau: Thuỷ điện Hoà Bình xả lũ.",
    "Tại sao 9 trên 10 người không biết điều này? Bạn sẽ không tin nổi...",
    "🔥🔥\n1.\nCẢNH BÁO: vi\u200brus co\u00adrona ở UBND TP HCM và AI\r\nDòng hai\u2028dòng ba",
    "",
    # pipeline 5: mojibake, fancy and fullwidth letters, look-alikes, HTML, Markdown, elongation, links
    "Sá»‘c: cáº£ lÃ\u00a0ng Ä‘iá»‡n\n𝗨𝗼̂́𝗻𝗴 ＳỐＣ vіrus &amp; &#7889;<br><b>tin</b>\n## **Sốc** quáaaa III AAAA",
    "CÁI KẾT CHO KHI XEM bit.ly/3kF9xQz HTTPS://X.VN\n.",
]
META_PROBES = [(None, None, None, None), (12, "3", 0.0, 1584000000), ("1,2K", "45", "7", "2020-03-12T10:00+07:00")]


def _pipeline_fingerprint() -> str:
    import hashlib
    import json

    import numpy as np

    from misinfo.estimators import MetadataFeatures, StyleFeatures
    from misinfo.features import body_chars, body_syllables, body_words, headline_chars, headline_words
    from misinfo.metadata import metadata_row, parse_count, parse_time
    from misinfo.text import _split_headline

    out = []
    for text in PROBES:
        cleaned = clean(text)
        headline, rest = _split_headline(cleaned)
        head, tail = headline.lower().split(), rest.lower().split()
        doc = Doc(tuple(head + tail), len(head), headline, cleaned, "opening" if tail else "text")
        out.append([cleaned, headline, body_words(doc), body_syllables(doc), headline_words(doc),
                    body_chars(doc), headline_chars(doc)]
                   + [np.round(StyleFeatures(part).fit([doc]).transform([doc]), 6).tolist()
                      for part in ("body", "headline")])
    rows = [metadata_row(parse_count(a), parse_count(b), parse_count(c),
                         None if d is None else parse_time(d)) for a, b, c, d in META_PROBES]
    out.append(np.round(np.nan_to_num(MetadataFeatures().fit(rows).transform(rows), nan=-1.0), 6).tolist())
    return hashlib.sha256(json.dumps(out, ensure_ascii=False).encode()).hexdigest()[:16]


def test_a_change_to_what_models_see_bumps_the_pipeline_version():
    from misinfo.text import PIPELINE_VERSION

    assert _pipeline_fingerprint() == PIPELINE_FINGERPRINTS.get(PIPELINE_VERSION), (
        "what the text pipeline makes of the probes changed: bump misinfo.text.PIPELINE_VERSION, "
        "record the new fingerprint here and retrain the shipped models (scripts/retrain_default_models.sh)")


TYPED = "Sốc: uống nước chanh nóng diệt virus, chia sẻ ngay kẻo muộn! Đà Nẵng ướt sũng, Ơn trời"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "mac_roman"])
def test_mojibake_reads_as_the_text_it_was(encoding):
    raw = TYPED.encode("utf-8")
    garbled = "".join(chr(b) if 0x80 <= b < 0xA0 and encoding == "cp1252" and b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                      else bytes([b]).decode(encoding) for b in raw)
    assert garbled != TYPED and clean(garbled) == clean(TYPED)
    assert clean(garbled.replace("\u00a0", " ")) == clean(TYPED)  # its no-break spaces lost on the way
    for correct in ("Café Ã la carte", "Căn √à và √°", "Äă và Đà Nẵng"):  # real text is left as it is
        assert clean(correct) == correct


def test_letters_in_fancy_fonts_fullwidth_or_look_alike_scripts_read_as_letters():
    plain = analyse(TYPED)
    bold = "".join(chr(0x1D5EE + ord(c) - ord("a")) if "a" <= c <= "z" else chr(0x1D5D4 + ord(c) - ord("A"))
                   if "A" <= c <= "Z" else c for c in unicodedata.normalize("NFD", TYPED))  # 𝗦𝗼̂́𝗰
    assert bold != TYPED and analyse(bold).tokens == plain.tokens
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in TYPED)
    assert analyse(fullwidth).tokens == plain.tokens
    hidden = TYPED.replace("virus", "vіrus").replace("chanh", "сhаnh")  # Cyrillic і, с, а
    assert analyse(hidden).tokens == plain.tokens
    assert clean("Москва и Київ") == "Москва и Київ"  # a Cyrillic word stays Cyrillic


def test_html_markdown_and_elongation_read_as_plain_text():
    assert clean("Tin &amp; ảnh &#7889;&quot;<br>dòng <b>đậm</b></p>") == 'Tin & ảnh ố"\ndòng đậm\n'
    assert clean("<URL> <PHONE> a < b <3").split() == ["xurl", "xphone", "a", "<", "b", "<", "xnum"]
    assert clean("## **Sốc** tin __nóng__ #covid").split() == ["Sốc", "tin", "nóng", "xhashtag", "covid"]
    assert clean("sốcccc quáaaa SỐCCCC III AAAA").split() == ["sốc", "quáa", "SỐC", "III", "A"]


def test_links_without_a_scheme_or_in_capitals_are_links():
    for link in ("bit.ly/3kF9xQz", "HTTPS://X.VN/A", "WWW.X.VN", "Http://x.vn", "youtu.be/abc"):
        assert clean(f"xem {link} nhé").split() == ["xem", "xurl", "nhé"], link
    assert clean("tỉ lệ 3/4 và 25/8").split() == ["tỉ", "lệ", "xnum", "và", "xnum"]


def test_a_headline_with_only_a_mark_under_it_is_a_headline():
    assert analyse("Cái kết nghiệt ngã cho thủ môn\n.").headline_kind == "text"
    assert analyse("Cái kết nghiệt ngã cho thủ môn\n😱 1.").headline_kind == "text"
    # a line with a link under it is a post sharing the link, judged as a post's opening
    assert analyse("Cái kết nghiệt ngã cho thủ môn\nhttps://x.vn/a 😱").headline_kind == "opening"
    assert analyse("Cái kết nghiệt ngã cho thủ môn\nNgười hâm mộ tiếc nuối").headline_kind == "opening"


def test_a_line_in_capitals_is_segmented_and_counted_as_shouting():
    from misinfo.features import style_counts

    shouted = analyse("CÁI KẾT NGHIỆT NGÃ CHO THỦ MÔN")
    assert shouted.tokens == analyse("Cái kết nghiệt ngã cho thủ môn").tokens
    counts = style_counts(shouted.headline, shouted.tokens)
    assert counts["shouting"] == 1.0 and counts["all_caps"] == 0.0  # CHO is shouted, not an abbreviation
    calm = analyse("UBND TP HCM họp về AI")
    assert style_counts(calm.headline, calm.tokens)["shouting"] == 0.0
