"""Text normalisation and tokenisation: the first step of every score.

``analyse(text)`` is the one entry point.  It validates the input, caps its length, repairs what
would break later steps (lone surrogates, control characters), puts the text in Unicode NFC,
replaces URLs, e-mail addresses, phone numbers, numbers, emoji, hashtags and mentions by
placeholder words, and runs underthesea ``word_tokenize`` exactly once.  The result, a
:class:`Doc`, carries everything the feature extractors need, so no later step looks at the raw
text again and no head tokenises twice.

underthesea's ``word_tokenize`` already applies its ``text_normalize`` rules to every token
(NFC, character and old/new tone-mark normalisation, e.g. "hoà" -> "hòa"), so a separate
``text_normalize`` pass would only repeat work on the hot path; ``tests/test_text.py`` checks
that the tokens agree with ``text_normalize``.

Placeholders (all lower-case ASCII words that Vietnamese never uses, so the tokenizer keeps
each one as a single token):

==========  ===============================================  ==========
placeholder  replaces                                          shown as
==========  ===============================================  ==========
xurl         ``http(s)://…``, ``www.…``, and ReINTEL's ``<URL>``  <URL>
xemail       e-mail addresses, and ReINTEL's ``<EMAIL>``         <EMAIL>
xphone       phone numbers (9–11 digits, optional +84, dots),   <PHONE>
             and ReINTEL's ``<PHONE>``
xnum         other numbers, dates, prices ("277.400", "25/8")  <NUMBER>
xemoji       each run of emoji or pictographs ("😱😱🔥": one)     <EMOJI>
xmention     ``@name``                                         <MENTION>
xhashtag     the ``#`` of a hashtag (the tag's word is kept)   #
==========  ===============================================  ==========

Their counts also feed the style signals (:mod:`misinfo.features`).  ReINTEL's posts carry links,
phone numbers and e-mail addresses already anonymised as ``<URL>``, ``<PHONE>`` and ``<EMAIL>``;
mapping those to the same placeholders as the real thing means the models learn from training
posts what they will meet in the posts users score.  For the same reason, what a crawler adds is
removed before anything else: a Markdown link ``[text](url)`` reads as its text and its link, and
Facebook's "See more" at the end of a cut post (``… Xem thêm``) is dropped.  Quote marks and dashes
are house style, so every form of them reads as ``"`` and ``-``.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

__all__ = ["Doc", "MAX_CHARS", "HEADLINE_MAX_CHARS", "PIPELINE_VERSION", "analyse", "word_tokenize", "clean",
           "segmenter_only", "without_marks", "unmarked_copy", "new_tone_marks"]

#: Version of how a text is read into what a model sees: this module (cleaning, placeholders,
#: headline) and the feature extractors of :mod:`misinfo.features` and :mod:`misinfo.metadata`.
#: Every model's metadata.json records it, and :func:`misinfo.artifacts.load_heads` refuses a
#: model trained under another version: its scores would be for text read differently from its
#: training data.  ``tests/test_text.py`` pins a fingerprint of the pipeline's output to this
#: number, so a change to what is read fails the tests until it is bumped.
#: 1: models saved before the version was recorded; 2: ReINTEL's ``<PHONE>``/``<EMAIL>`` read as
#: real contacts, Markdown links and a trailing "Xem thêm" as text, one form of quote and dash;
#: 3: a lexicon entry of several words is found however underthesea cuts it, and "nóng" alone is
#: no longer a call to share; 4: invisible characters deleted, every line break a newline, a
#: post's headline is its first line with a word, words in capitals counted apart from abbreviations;
#: 5: text read as it is written online: mojibake repaired, "fancy font" and fullwidth letters,
#: HTML entities and tags, Markdown emphasis and headings, look-alike Cyrillic/Greek letters inside
#: Latin words, elongated letters ("sốccccc"), links without a scheme (bit.ly/x) and in capitals;
#: a line in capitals segmented as it would be in lower case; a text whose lines after the first
#: have no word and no link (".", an emoji) is a headline, not a post's opening.
PIPELINE_VERSION = 5

#: Texts longer than this many characters are cut before any other work, so a 10 MB cell costs
#: the same bounded time and memory as a long article (the longest ReINTEL post is ~28,000).
MAX_CHARS = 50_000
#: When no title is given, the first line of the text stands in for the headline, cut at a
#: sentence end (or a space) within this many characters (ViClickbait titles: at most 186).
HEADLINE_MAX_CHARS = 200

#: A text with at least this many letters, under UNMARKED_SHARE of them with a Vietnamese tone or
#: vowel mark, was typed without diacritics ("khong dau") or is not Vietnamese.  Text with marks
#: has ~26% marked letters (1% of ReINTEL posts under 15%); the same posts with the marks removed,
#: 0%.  With the marks removed, `test` ROC-AUC falls for the `fast` heads, which also learned
#: text typed that way, from 0.91 to 0.90 (misinformation, text only) and from 0.87 to 0.84
#: (sensational); for `accurate`, which did not, from 0.91 to 0.82 and from 0.90 to 0.77.
UNMARKED_MIN_LETTERS = 40
UNMARKED_SHARE = 0.02
#: A lower-case letter with a Vietnamese diacritic (a tone mark, a vowel mark or "đ").
MARKED = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]")
_LETTER = re.compile(r"[^\W\d_]")
#: A letter or digit (``str.isalnum``; re's ``\w`` is that or "_").
ALNUM = re.compile(r"[^\W_]")

#: Characters that show nothing: zero-width spaces and joiners, the soft hyphen, direction marks,
#: the byte-order mark.  Inside a word they are deleted, not spaced: "vi\u200brus" is "virus" (a
#: space would split it, and an invisible character is how a word is hidden from a filter).
_INVISIBLE = "\u00ad\u034f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_INVISIBLE_CHARS = re.compile(f"[{_INVISIBLE}]")
#: Every other line break is a newline ("\r\n", "\r", vertical tab, form feed, NEL, the Unicode line
#: and paragraph separators), so that a post's first line is found however it was typed.
_LINE_BREAK = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
#: Control characters and lone surrogates read as a space.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: What a text may begin with that says nothing: skipped before the length limit is counted.
_LEADING_BLANK = re.compile(rf"[\s{_INVISIBLE}]+")
_EMOJI = (
    "\U0001F000-\U0001FAFF"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27BF"          # misc symbols and dingbats
    "\u2B00-\u2BFF\u2300-\u23FF"
    "\U0001F1E6-\U0001F1FF"  # regional indicators (flags)
)
# One pattern per placeholder, applied in this order (a URL's digits are not numbers, an e-mail
# address is not a mention), each only when a cheap substring test says it can match: separate
# passes cost a third of one alternation over every position of the text.
def _has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


_DIGIT = re.compile(r"\d")
#: Link shorteners, read as links without a scheme ("bit.ly/3kF9xQz" is how such links are pasted).
_SHORTENERS = ("bit.ly/", "tinyurl.com/", "goo.gl/", "t.co/", "ow.ly/", "is.gd/", "cutt.ly/", "shorturl.at/", "rb.gy/",
               "tiny.cc/", "s.id/", "bom.so/", "fb.me/", "youtu.be/")
_URL = re.compile(r"<URL>|\b(?:https?://|www\.|(?:" + "|".join(re.escape(s) for s in _SHORTENERS) + r"))\S+",
                  re.IGNORECASE)


def _may_link(text: str) -> bool:
    lowered = text.lower()
    return "http" in lowered or "www." in lowered or "<url>" in lowered or any(s in lowered for s in _SHORTENERS)


_PLACEHOLDERS = (  # (replacement, guard or None for always, pattern)
    (" xurl ", _may_link, _URL),
    (" xemail ", lambda t: "@" in t or "<EMAIL>" in t,
     re.compile(r"<EMAIL>|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (" xmention ", lambda t: "@" in t, re.compile(r"(?<!\w)@\w+")),
    (" xhashtag ", lambda t: "#" in t, re.compile(r"(?<![\w&])#(?=\w)")),
    (" xphone ", lambda t: _has_digit(t) or "<PHONE>" in t,
     re.compile(r"<PHONE>|(?<![\w.])(?:\+84|0)(?:[ .-]?\d){8,10}(?![\w.])")),
    (" xnum ", _has_digit, re.compile(r"(?<!\w)\d+(?:[.,/:-]\d+)*(?!\w)")),
    (" xemoji ", None, re.compile(rf"[{_EMOJI}][\ufe0f\u200d{_EMOJI}\U0001F3FB-\U0001F3FF]*")),
)
#: Placeholder word -> how a reason shows it.
PLACEHOLDER_DISPLAY = {
    "xurl": "<URL>", "xemail": "<EMAIL>", "xmention": "<MENTION>", "xhashtag": "#",
    "xphone": "<PHONE>", "xnum": "<NUMBER>", "xemoji": "<EMOJI>",
}
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")
# How a post was crawled is not how it was written: a Markdown link "[text](url)" reads as its
# text and its link (once, when the text is the link itself), and Facebook's trailing "See more"
# ("… Xem thêm", where the crawler cut a long post) is dropped.
_MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]{0,500})\]\(([^()\s]{1,2000})\)")
_SEE_MORE = "Xem thêm"
# Quote marks and dashes are a publication's house style (or a keyboard's), not the writer's:
# every form reads as '"' and '-', so the same headline scores the same in any typography.  An
# apostrophe inside a word ("O'Neil", "McDonald’s") stays one.
_TYPOGRAPHY = str.maketrans({q: '"' for q in "“”„‟«»‹›″"} | {q: "'" for q in "‘’‚‛′`´"}
                            | {d: "-" for d in "‐‑‒–—―"})
_SINGLE_QUOTE = re.compile(r"(?<!\w)'|'(?!\w)")


# -- text as it is written online (pipeline 5) ----------------------------------------------------
#: UTF-8 read as Windows-1252 / Latin-1 ("Sá»‘c", "Ä‘iá»‡n") or as Mac Roman ("S·ªëc", "ƒëi·ªán"), as
#: spreadsheet exports often carry it.  A text with one of these pairs is decoded back, and kept so
#: only if the whole text decodes strictly as UTF-8 (a real "Ã" or "√" in correct text does not).
_MOJIBAKE = re.compile("á»|áº|Ã[\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]|"
                       "Ä[\x80-\xbf‘’]|Æ[°¡¯]|·ª|·∫|ƒë|ƒê|√†|√°")
#: Windows-1252's characters for bytes 0x80-0x9F, back to those bytes (as Latin-1 reads them).
_CP1252_BYTES = {ord(bytes([b]).decode("cp1252")): b for b in range(0x80, 0xA0)
                 if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


#: A no-break space (the second byte of "à", "Ạ", "Ơ" in UTF-8) that an editor turned into a space.
_LOST_NBSP = re.compile("(?<=[ÃÆº]) ")


def _repair_mojibake(text: str) -> str:
    if not _MOJIBAKE.search(text):
        return text
    for encode in (lambda t: t.translate(_CP1252_BYTES).encode("latin-1"), lambda t: t.encode("mac_roman")):
        for candidate in (text, _LOST_NBSP.sub("\u00a0", text)):
            try:
                repaired = encode(candidate).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if MARKED.search(repaired.lower()):
                return repaired
    return text


#: Letters in "fancy fonts" (mathematical bold, italic, script...: 𝗦𝗢̂́𝗖), fullwidth forms (ＳＯＣ) and
#: circled letters (Ⓢ): their compatibility form is the plain letter, which NFKC gives.  Only these
#: blocks: NFKC elsewhere would change text (¼, ², ﬁ) a writer meant.
_COMPATIBLE = re.compile("[\U0001D400-\U0001D7FF\uFF01-\uFF5E\u24B6-\u24E9]+")
#: Cyrillic and Greek letters that look like Latin ones, as typed inside a Latin word to hide it
#: from a filter ("vіrus" with a Cyrillic і).  A word of Cyrillic or Greek alone is left as it is.
_LOOKALIKES = str.maketrans(dict(zip(
    "аеорсухіјѕԁһӏԛԝАВЕКМНОРСТХУІЈЅοινκρτΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdhlqwABEKMHOPCTXYIJSoivkptABEZHIKMNOPTYX")))
_LOOKALIKE = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")
_MIXED_WORD = re.compile(r"[^\W\d_][\w\u0300-\u036f]*")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def _latin_lookalikes(match: re.Match) -> str:
    word = match.group()
    return word.translate(_LOOKALIKES) if _LATIN.search(word) and _LOOKALIKE.search(word) else word


#: HTML as scrapers leave it: character references ("&amp;", "&#7889;") and the tags of running
#: text.  Only these tags: ReINTEL's "<URL>", "<PHONE>" and "<EMAIL>" are placeholders, and "<3"
#: or "a < b" are text.
_HTML_REFERENCE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HTML_BREAK = re.compile(r"<(?:br|/?p|/?div|/?li|/?h[1-6])(?:\s[^<>]{0,200})?\s*/?>", re.IGNORECASE)
_HTML_INLINE = re.compile(r"</?(?:span|b|i|u|em|strong|a|font|ul|ol)(?:\s[^<>]{0,500})?>", re.IGNORECASE)


def _html_as_text(text: str) -> str:
    import html

    if "<" in text:
        text = _HTML_INLINE.sub("", _HTML_BREAK.sub("\n", text))
    if "&" in text and ";" in text:
        text = _HTML_REFERENCE.sub(lambda m: html.unescape(m.group()), text)
    return text


#: Markdown a text copied from a chat assistant or a forum carries: bold and italic marks around
#: words ("**Sốc**", "__tin__") and heading marks ("## Tin nóng"); a hashtag ("#covid") is not one.
_MARKDOWN_EMPHASIS = re.compile(r"(?:\*\*|__)(?=\S)|(?<=\S)(?:\*\*|__)")
_MARKDOWN_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
#: A letter typed three or more times ("sốccccc", "quáaaa"): no Vietnamese word has that.  Capitals
#: need four ("III", "AAA" are numerals and ratings).
_ELONGATED = re.compile("([A-Za-z\u00c0-\u024f\u1e00-\u1eff])\\1{2,}")  # Latin letters: a third of the time of any letter's


def _one_letter(match: re.Match) -> str:
    run = match.group()
    return run if run.isupper() and len(run) < 4 else run[0]


def _link(match: re.Match) -> str:
    text, url = match.groups()
    return f" {url} " if not text.strip() or _URL.fullmatch(text.strip()) else f" {text} {url} "


@dataclass(frozen=True)
class Doc:
    """A text after :func:`analyse`: what every feature extractor reads.

    Attributes
    ----------
    tokens : tuple of str
        Lower-cased underthesea words (multi-syllable words keep their inner space), headline
        first.
    headline_size : int
        How many of ``tokens`` belong to the headline (the title, or the text's first line).
    headline : str
        The cleaned headline text (after placeholders), for style signals.
    headline_kind : {"title", "text", "opening"}
        Where the headline came from: the given title; the whole text (a one-line text such as a
        headline); or the opening line or sentence of a longer text without a title (a post),
        which the sensational head judges with its own, stricter threshold.
    body : str
        The whole cleaned text, headline included, for style signals.
    truncated : bool
        True when the input was longer than :data:`MAX_CHARS` and was cut.
    """

    tokens: tuple[str, ...]
    headline_size: int
    headline: str
    body: str
    headline_kind: str = "text"
    truncated: bool = False

    @property
    def headline_tokens(self) -> tuple[str, ...]:
        return self.tokens[: self.headline_size]

    @property
    def empty(self) -> bool:
        return not self.tokens

    @property
    def wordless(self) -> bool:
        """True for a text of punctuation and symbols only ("!", "?!…"): nothing a model or a
        reviewer could read (a placeholder, such as a link or an emoji, is a word here)."""
        return not any(map(ALNUM.search, self.tokens))

    @property
    def unmarked(self) -> bool:
        """True for a text typed without Vietnamese diacritics, or not in Vietnamese: at least
        :data:`UNMARKED_MIN_LETTERS` letters (placeholders aside), under :data:`UNMARKED_SHARE`
        of them marked.

        >>> analyse("Uong nuoc chanh nong moi sang diet sach virus corona, chia se ngay").unmarked
        True
        >>> analyse("Uống nước chanh nóng mỗi sáng diệt sạch virus corona, chia sẻ ngay").unmarked
        False
        """
        words = "".join(t for t in self.tokens if t not in _PLACEHOLDER_WORDS)
        letters = len(_LETTER.findall(words))
        return letters >= UNMARKED_MIN_LETTERS and len(MARKED.findall(words)) < UNMARKED_SHARE * letters


def without_marks(text: str) -> str:
    """``text`` as typed without Vietnamese diacritics: every tone and vowel mark removed, "đ" read
    as "d".

    >>> without_marks("Thủy điện Hòa Bình xả lũ")
    'Thuy dien Hoa Binh xa lu'
    """
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


_LETTERS = re.compile(_LETTER.pattern + "+")
_TOKEN_NORMALIZE = None


def _token_normalize():
    """underthesea's ``token_normalize`` (tone-mark placement of one word), memoised: a pure function
    of the token, and Vietnamese has a few thousand syllables.  One cache for the segmenter and
    :func:`new_tone_marks`."""
    global _TOKEN_NORMALIZE
    if _TOKEN_NORMALIZE is None:
        import importlib
        from functools import lru_cache

        # in underthesea's own import order (text_normalize first: it and word_tokenize import each other)
        normalize = importlib.import_module("underthesea.pipeline.text_normalize")
        _TOKEN_NORMALIZE = lru_cache(maxsize=TOKEN_CACHE_SIZE)(normalize.token_normalize)
    return _TOKEN_NORMALIZE


def new_tone_marks(text: str) -> str:
    """``text`` with every word's tone mark where underthesea's ``text_normalize`` puts it (the
    new placement: "hoà" -> "hòa", "thuỷ" -> "thủy"), nothing else changed.  The tokens get this
    from the tokenizer; a reader of the text itself (the ``accurate`` tier's encoder) needs it
    too, or old and new placement read as different words.

    >>> new_tone_marks("Thanh Hoá: khoẻ, THUỶ điện hoà lưới!")
    'Thanh Hóa: khỏe, THỦY điện hòa lưới!'
    """
    normalize = _token_normalize()
    return _LETTERS.sub(lambda m: normalize(m.group()), text)


def unmarked_copy(doc: Doc) -> Doc:
    """``doc`` as if its text had been typed without diacritics: the same headline and text with
    the marks removed, analysed afresh (underthesea segments such text differently, so removing
    the marks from ``doc``'s tokens would not give what scoring it gives).  Training rows get such
    a copy so that the models also learn text typed that way."""
    if doc.headline_kind == "title":
        rest = doc.body[len(doc.headline) + 1:] if doc.body != doc.headline else ""
        return analyse(without_marks(rest), title=without_marks(doc.headline))
    return analyse(without_marks(doc.body))


def word_tokenize(text: str) -> list[str]:
    """underthesea word segmentation (with its token normalisation); the only underthesea call.

    The same tokens as ``underthesea.word_tokenize(text)``, by way of :func:`_segmenter`.

    >>> word_tokenize("Bác sĩ bây giờ có thể thản nhiên báo tin bệnh nhân bị ung thư")
    ['Bác sĩ', 'bây giờ', 'có thể', 'thản nhiên', 'báo', 'tin', 'bệnh nhân', 'bị', 'ung thư']
    """
    return (_SEGMENT or _segmenter())(text)


_SEGMENT = None
_SEGMENT_LOCK = threading.Lock()
#: Distinct tokens whose underthesea normalisation is remembered.  All 4,372 ReINTEL posts
#: (800,000 tokens) have 17,700 distinct tokens, so this keeps the common ones (~2 MB) and
#: bounds a long-running service's memory.
TOKEN_CACHE_SIZE = 1 << 14


def _segmenter():
    """Build, once, underthesea's ``word_tokenize`` with its per-token Python work trimmed.

    underthesea runs a regex tokenizer, ``token_normalize`` on every token, then its CRF
    (featurizer + tagger, in Rust).  Its Python layer costs about 7% of a call; this version
    memoises ``token_normalize`` (a pure function of the token) and takes each regex match
    whole instead of searching the match's named groups.  The CRF steps are underthesea's own
    objects, called exactly as it calls them, so the tokens are identical (checked here on a
    probe text, and in ``tests/test_text.py`` on every bundled text).  If underthesea's
    internals ever move, the public ``underthesea.word_tokenize`` is used instead.
    """
    global _SEGMENT
    with _SEGMENT_LOCK:
        if _SEGMENT is None:
            _SEGMENT = _fast_segmenter() or _public_segmenter()
    return _SEGMENT


def _public_segmenter():
    from underthesea import word_tokenize as segment

    return segment


def segmenter_only() -> None:
    """In a process misinfo runs itself, load only the parts of underthesea that segment words.

    ``import underthesea`` imports every pipeline it has (POS tagging, chunking, NER,
    classification, dependency parsing, ...), about 75 MB, of which word segmentation needs 18.
    Called before the first tokenisation (by the ``misinfo`` command and by its batch worker
    processes, never by ``import misinfo``), this registers the ``underthesea`` package without
    running its ``__init__``, so only the segmenter's modules load.  The tokens are the same,
    from the same functions.  Any other use of the package (``underthesea.pos_tag``,
    ``from underthesea import ner``) first runs the real ``__init__`` in place, so code in the
    same process still sees all of underthesea.  Does nothing if underthesea is already imported.
    """
    import importlib.util
    import sys

    if "underthesea" in sys.modules:
        return
    spec = importlib.util.find_spec("underthesea")
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)
    lock = threading.Lock()

    def complete(name: str):
        with lock:
            if package.__dict__.pop("__getattr__", None) is not None:
                spec.loader.exec_module(package)
        return getattr(package, name)

    package.__getattr__ = complete
    sys.modules["underthesea"] = package


def _fast_segmenter():
    import importlib

    try:
        normalize_token = _token_normalize()
        regex = importlib.import_module("underthesea.pipeline.word_tokenize.regex_tokenize")
        chars = importlib.import_module("underthesea.pipeline.text_normalize.character_normalize")
        pipeline = importlib.import_module("underthesea.pipeline.word_tokenize")
        public = pipeline.word_tokenize
        public("Khởi động")  # underthesea loads its CRF model on first use
        crf = pipeline.word_tokenize_model
        featurize, tag = crf.featurizer.process, crf.estimator.tag
        pattern = re.compile(regex.regex_patterns_combine, re.VERBOSE | re.UNICODE)
        normalize_text = chars.normalize_characters_in_text
    except (ImportError, AttributeError):
        return None

    def segment(text: str) -> list[str]:
        tokens = [normalize_token(m.group()) for m in pattern.finditer(normalize_text(text))]
        if not tokens:
            return []
        words: list[str] = []
        for label, token in zip(tag(featurize([[[t] for t in tokens]])[0]), tokens):
            if label == "I-W" and words:
                words[-1] += " " + token
            else:
                words.append(token)
        return words

    probe = "Sở Y tế TP.HCM cho biết ngày 25/8 có 1.234 ca, xem https://x.vn hoặc gọi 0912 345 678 😀!!"
    return segment if segment(probe) == public(probe) else None


def read_part(text: str) -> str:
    """The part of ``text`` that :func:`analyse` reads: without the blanks it begins with (they do
    not count towards :data:`MAX_CHARS`); if longer than that, in NFC (so that a text typed
    decomposed, up to three code points a Vietnamese letter, is cut where the same text composed
    is; only its first ``4 * MAX_CHARS`` code points are normalised) and cut to ``MAX_CHARS + 1``
    characters, one more than is scored, so that the cut is known.  A caller that keeps texts for
    later (a batch job's rows) keeps this part and gets the same :class:`Doc`."""
    text = _after_blank(text)
    if len(text) <= MAX_CHARS:
        return text  # clean() puts it in NFC
    return unicodedata.normalize("NFC", text[: 4 * MAX_CHARS])[: MAX_CHARS + 1]


def _after_blank(text: str) -> str:
    """``text`` without the whitespace and invisible characters it begins with."""
    blank = _LEADING_BLANK.match(text)
    return text[blank.end():] if blank else text


def _check_text(text: object, name: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}: {text!r:.60}")
    return text


def clean(text: str) -> str:
    """Repair, NFC-normalise, read typography and crawl marks as plain text (one form of quote
    mark and dash, Markdown links, a trailing "… Xem thêm") and replace placeholders; no
    tokenisation (:func:`analyse` caps).

    >>> clean("Xem ngay https://x.vn/a 😀😀 giá 12.500 đồng")
    'Xem ngay  xurl   xemoji  giá  xnum  đồng'
    """
    if not text.isascii():
        # first: the mangled bytes include ones read as a soft hyphen (U+00AD) or a line break (U+0085)
        text = _repair_mojibake(text)
    text = _LINE_BREAK.sub("\n", _INVISIBLE_CHARS.sub("", text))
    if not text.isascii():
        if _COMPATIBLE.search(text):
            text = _COMPATIBLE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
        if _LOOKALIKE.search(text):
            text = _MIXED_WORD.sub(_latin_lookalikes, text)
    if "&" in text or "<" in text:
        text = _html_as_text(text)
    text = _BAD_CHARS.sub(" ", text)
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY)
    if "'" in text:
        text = _SINGLE_QUOTE.sub('"', text)
    if "](" in text:
        text = _MARKDOWN_LINK.sub(_link, text)
    if "**" in text or "__" in text or "#" in text:
        text = _MARKDOWN_HEADING.sub("", _MARKDOWN_EMPHASIS.sub("", text))
    if _SEE_MORE in text:  # string methods, not a regex: no backtracking over long blank runs
        end = text.rstrip()
        if end.endswith(_SEE_MORE):
            text = end[: -len(_SEE_MORE)].rstrip().removesuffix("…").rstrip()
    for word, may_match, pattern in _PLACEHOLDERS:
        if may_match is None or may_match(text):
            text = pattern.sub(word, text)
    return _ELONGATED.sub(_one_letter, text)  # after the placeholders: "www." is a link's, not a word's


#: Lines before the first one with a word are not a headline ("🔥", "⚠️⚠️", ".", "1."): at most this
#: many are passed over (the text's first line is the headline if none of them has a word).
HEADLINE_SKIP_LINES = 5


def _has_word(line: str) -> bool:
    """True if a cleaned line has a word that is not a placeholder (an emoji, a number)."""
    return any(m.group() not in _PLACEHOLDER_WORDS for m in _LETTERS.finditer(line))


def _split_headline(text: str) -> tuple[str, str]:
    """Return (headline, rest): the first non-empty line with a word (within the first
    :data:`HEADLINE_SKIP_LINES` + 1 non-empty lines; the lines passed over begin the rest), cut near
    HEADLINE_MAX_CHARS."""
    stripped = text.lstrip()
    first, sep, rest = stripped.partition("\n")
    skipped = []
    while not _has_word(first) and rest.strip() and len(skipped) < HEADLINE_SKIP_LINES:
        following, sep, after = rest.lstrip().partition("\n")
        skipped.append(first)
        first, rest = following, after
    if skipped and not _has_word(first):  # no word in the first lines: the first line it is
        first, rest = skipped[0], "\n".join(skipped[1:] + [first]) + sep + rest
    elif skipped:
        rest = "\n".join(skipped) + "\n" + rest
    if len(first) > HEADLINE_MAX_CHARS:
        end = _SENTENCE_END.search(first, 0, HEADLINE_MAX_CHARS)
        cut = end.end() if end else first.rfind(" ", 0, HEADLINE_MAX_CHARS)
        if cut <= 0:
            cut = HEADLINE_MAX_CHARS
        first, rest = first[:cut], first[cut:] + sep + rest
    return first, rest


_PLACEHOLDER_WORDS = frozenset(PLACEHOLDER_DISPLAY)


#: A line with at least this many words, all in capitals, is segmented in lower case: underthesea
#: reads words in capitals as names ("CÁI KẾT" is not "cái kết"), and the tokens are lower-cased anyway.
SHOUTED_LINE_WORDS = 3


def _shouted_lines_lowered(text: str) -> str:
    if text == text.lower():  # no capitals: nothing to lower (one pass in C, not a Python loop)
        return text
    return "\n".join(line.lower() if line.isupper() and len(_LETTERS.findall(line)) >= SHOUTED_LINE_WORDS else line
                     for line in text.split("\n"))


def _tokens(text: str) -> list[str]:
    if not text.strip():
        return []
    out = []
    for token in word_tokenize(_shouted_lines_lowered(text)):
        token = token.lower()
        if " " in token and not _PLACEHOLDER_WORDS.isdisjoint(token.split()):
            # the segmenter sometimes glues a placeholder to a word ("khẩn xemoji"): unglue it
            words: list[str] = []
            for part in token.split():
                if part in _PLACEHOLDER_WORDS:
                    out.extend([" ".join(words), part] if words else [part])
                    words = []
                else:
                    words.append(part)
            if words:
                out.append(" ".join(words))
        else:
            out.append(token)
    return out


def analyse(text: str, title: str | None = None) -> Doc:
    """Validate, normalise and tokenise one text (and its optional title) into a :class:`Doc`.

    Parameters
    ----------
    text : str
        The post or article body.  May be empty.
    title : str or None
        The headline, when the source has one.  Without it, the text's first line is the headline.

    Raises
    ------
    TypeError
        If ``text`` (or a given ``title``) is not a ``str``.

    Examples
    --------
    >>> doc = analyse("Sốc: thuỷ điện xả lũ!\\nNgười dân di dời.")
    >>> doc.headline_tokens, doc.headline_kind
    (('sốc', ':', 'thủy', 'điện', 'xả', 'lũ', '!'), 'opening')
    """
    _check_text(text, "text")
    if title is not None:
        _check_text(title, "title")
        title = read_part(title) or None  # a blank title is no title, whatever its length
    text = read_part(text)
    if len(text) + len(title or "") > MAX_CHARS:  # counted composed, as each part alone is
        text = unicodedata.normalize("NFC", text)
        title = None if title is None else unicodedata.normalize("NFC", title)
    truncated = len(text) + len(title or "") > MAX_CHARS
    if truncated:
        text = text[: max(0, MAX_CHARS - len(title or ""))]
        title = None if title is None else title[:MAX_CHARS]
    text = clean(text)
    if title is not None and title.strip():
        headline, rest, kind = clean(title).strip(), text, "title"
    else:
        headline, rest = _split_headline(text)
        # a post's opening when a word or a link follows (a line with a link under it is a post sharing
        # it); a "." or an emoji under a headline does not make it a post, and its stricter threshold
        kind = "opening" if _has_word(rest) or " xurl " in rest else "text"
    head_tokens = _tokens(headline)
    tokens = head_tokens + _tokens(rest)
    body = headline + "\n" + rest if rest.strip() else headline
    return Doc(tuple(tokens), len(head_tokens), headline, body, kind, truncated)
