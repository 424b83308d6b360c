"""Short, checkable reasons for a flag: the words that pushed the score up and the style signals
that fired, in a form that fits a review-queue row."""
from __future__ import annotations

import threading
import weakref
from collections import Counter

import numpy as np

from .features import LEXICON_SIGNALS, SIGNAL_NAMES, STYLE_SIGNALS, lexicon_words, style_counts, style_part
from .text import ALNUM, MARKED, PLACEHOLDER_DISPLAY, Doc, without_marks

__all__ = ["reasons", "metadata_lines"]

#: How many words and signals a reason line names.
TOP_WORDS = 3
TOP_SIGNALS = 2
#: Words found in more than this share of a head's training texts are not named in its reasons.
COMMON_WORDS = 0.25
#: Function words (grammar, not content) that a reason does not name alone: they count in the
#: score like any other word, but "là", "trên" or "bị" give a reviewer nothing to check.  Pairs that
#: hold one ("ai cũng", "bị bắt") are named, and question words ("ai", "gì", "sao") are left out of
#: this list: teasers are made of them.
FUNCTION_WORDS = frozenset(
    "là và của có không được cho với những các một đã sẽ đang thì mà ở tại từ đến về như để rằng vì "
    "do nhưng hay hoặc cũng rất này đó kia khi nên bị qua trên dưới trong ngoài sau trước lại ra vào "
    "lên xuống nếu thế vậy đây đấy còn chỉ theo bởi tới mọi mỗi".split())
#: The same typed without diacritics, as the `fast` heads also learned every text ("khong",
#: "cua"), but for the forms that are also content words ("vay": a loan, "con": a child).
FUNCTION_WORDS_UNMARKED = frozenset(without_marks(w) for w in FUNCTION_WORDS) - frozenset(
    "vay con da ma tu ve lai bi de the chi day".split())
_NOT_NAMED_ALONE = FUNCTION_WORDS | FUNCTION_WORDS_UNMARKED
#: How many distinct words a lexicon signal (clickbait phrases, calls to share, teasers) quotes.
QUOTED_WORDS = 2
#: A metadata-driven change of the misinformation probability worth telling the reviewer.
METADATA_SHIFT = 0.15


#: The vectorizers whose terms a reason names: words and word pairs, as a reviewer reads them.
WORD_ANALYZERS = ("body_words", "headline_words")


class _Explainer:
    """What explains one head (a :class:`misinfo.compiled.Head`), extracted once per loaded head:
    the word vectorizer of its first base model that has one, with that model's coefficients, and
    the style signals with their weights."""

    def __init__(self, head):
        self.words = self.names = self.coef = None
        self.style_part: str | None = None
        self.style_weights: dict = {}
        for _, linear in head.bases:
            for name, block in linear.blocks:
                if self.words is None and getattr(block, "analyzer", None) in WORD_ANALYZERS:
                    self.words, self.coef = linear.block(name)
                    self.names = block.terms
                    # terms with punctuation or a placeholder in them ("!", "hehe|!", "có|xnum",
                    # "xemoji|xemoji") are reported as style signals, not as words; words in more
                    # than COMMON_WORDS of the training texts ("của", "và", "không") count in the
                    # score like any other, but naming them gives the reviewer nothing to check
                    named = np.array([_all_words(n) and n not in _NOT_NAMED_ALONE for n in block.terms], dtype=bool)
                    named &= _share_as_written(self.words, head) <= COMMON_WORDS
                    self.coef = np.where(named, self.coef, 0.0)
                if self.style_part is None and name == "style":
                    block, coef = linear.block(name)
                    self.style_part = block.part
                    self.style_weights = dict(zip((f"style:{n}" for n in SIGNAL_NAMES), coef.tolist()))
        if self.style_part is None and head.style_part is not None:
            self.style_part, self.style_weights = head.style_part, head.style_weights

    def top_words(self, docs) -> list[list[str]]:
        if self.words is None:
            return [[] for _ in docs]
        rows, cols, values = self.words.entries(docs)
        contrib = values * self.coef[cols]
        bounds = np.searchsorted(rows, np.arange(len(docs) + 1))  # rows come sorted
        out = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            order = lo + np.argsort(-contrib[lo:hi], kind="stable")[:TOP_WORDS]
            out.append([f"“{_display(self.names[cols[k]])}”" for k in order if contrib[k] > 0])
        return out

    def signals(self, doc: Doc) -> list[str]:
        if self.style_part is None:
            return []
        text, tokens = style_part(doc, self.style_part)
        counts = style_counts(text, tokens)
        fired = []
        for name, (_, scale) in STYLE_SIGNALS.items():
            weight = self.style_weights.get(f"style:{name}", 0.0)
            if name != "length" and counts[name] > 0 and weight > 0:
                fired.append((min(counts[name] / scale, 1.0) * weight, name))
        fired.sort(key=lambda t: -t[0])
        return [_signal_text(name, counts[name], tokens) for _, name in fired[:TOP_SIGNALS]]


def _all_words(term: str) -> bool:
    """Whether every word of an n-gram term (words joined by "|") is a word a reviewer can find in
    the text: letters or digits, not a placeholder.

    >>> [_all_words(t) for t in ("nước chanh", "uống|nước chanh", "hehe|!", "có|xnum", "xurl")]
    [True, True, False, False, False]
    """
    return all(ALNUM.search(w) and w not in PLACEHOLDER_DISPLAY for w in term.split("|"))


def training_share(vectorizer) -> np.ndarray:
    """The share of its training texts that hold each of a fitted tf-idf ``vectorizer``'s terms,
    read back from its smooth idf, ``ln((1 + n) / (1 + df)) + 1`` (so ``(1 + df) / (1 + n)``)."""
    return np.exp(1.0 - np.asarray(vectorizer.idf, dtype=np.float64))


def _share_as_written(vectorizer, head) -> np.ndarray:
    """:func:`training_share` among the texts a term can occur in.  A stack that also learned each
    text typed without diacritics fitted its vectorizer on twice as many texts, and a term with
    marks ("có", in 46% of ReINTEL posts) occurs only in the originals: its share of all the
    texts is half its share of the texts as written."""
    share = training_share(vectorizer)
    if head.unmarked_copies:
        share = np.where([MARKED.search(t) is not None for t in vectorizer.terms], 2 * share, share)
    return share


def _display(term: str) -> str:
    return " ".join(PLACEHOLDER_DISPLAY.get(w, w) for w in term.replace("|", " ").split(" "))


def _signal_text(name: str, count: float, tokens=()) -> str:
    """How a reason shows a style signal that fired; a lexicon signal quotes the words it counted
    (the first :data:`QUOTED_WORDS` distinct ones, with how often each occurred), so that the
    reviewer can check what it read ("đừng" counts as a call to share, as in "đừng chủ quan, chia
    sẻ ngay", and also in "đừng lo").

    >>> _signal_text("exclamation", 1), _signal_text("exclamation", 3)
    ('1 exclamation mark', '3 exclamation marks')
    >>> _signal_text("share_call", 3, ["chia sẻ", "ngay", "cảnh báo", "chia sẻ"])
    '3 calls to share (“chia sẻ” ×2, “cảnh báo”)'
    """
    if name == "all_caps":
        return f"{count:.0%} of words are ALL-CAPS abbreviations"
    if name == "shouting":
        return f"{count:.0%} of words in CAPITALS"
    if name == "no_source":
        return "no source or link"
    what = STYLE_SIGNALS[name][0]
    text = f"{count:g} {_singular(what) if count == 1 else what}"
    if name in LEXICON_SIGNALS:
        words = Counter(lexicon_words(tokens, name))  # in text order
        if words:
            quoted = ", ".join(f"“{w}”" + (f" ×{n}" if n > 1 else "") for w, n in list(words.items())[:QUOTED_WORDS])
            text += f" ({quoted}{', …' if len(words) > QUOTED_WORDS else ''})"
    return text


def _singular(plural: str) -> str:
    """The description of one occurrence: "1 call to share", not "1 calls to share".

    >>> [_singular(d) for d in ("exclamation marks", "runs of '!!'", "calls to share", "emoji")]
    ['exclamation mark', "run of '!!'", 'call to share', 'emoji']
    """
    first, _, rest = plural.partition(" ")
    if rest.startswith(("of ", "to ")) and first.endswith("s"):
        return f"{first[:-1]} {rest}"
    return plural[:-1] if plural.endswith("s") else plural


#: Each loaded head's explainer, for as long as the head is in use: a model retrained and loaded
#: again in a long-running service leaves its old heads to be freed (an explainer refers to parts
#: of its head, never to the head itself).
_EXPLAINERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _explainer(head) -> _Explainer:
    with _LOCK:  # built once per loaded head (~50 ms: the vocabulary's term names)
        explainer = _EXPLAINERS.get(head)
        if explainer is None:
            explainer = _EXPLAINERS[head] = _Explainer(head)
        return explainer


def reasons(name: str, head, docs, proba) -> list[list[str]]:
    """Reason lines for the head called ``name`` (a :class:`misinfo.compiled.Head`), for each of
    ``docs`` (the flagged ones): the words and the style signals that drove its score."""
    if not docs:
        return []
    explainer = _explainer(head)
    out = []
    for k, (doc, words) in enumerate(zip(docs, explainer.top_words(docs))):
        what = f"{name} {float(proba[k]):.2f}" + (" (opening line)" if name == "sensational" and doc.headline_kind == "opening" else "")
        lines = []
        if words:
            lines.append(f"{what}: words {', '.join(words)}")
        signals = explainer.signals(doc)
        if signals:
            lines.append(f"{name} signals: {', '.join(signals)}")
        if not lines:
            lines.append(f"{what}: overall style, no single word stands out")
        out.append(lines)
    return out


def metadata_lines(name: str, proba: float, alone: float, threshold: float, with_time: bool = False) -> list[str]:
    """The line saying that the engagement counts (``with_time``: and the publication time) moved
    a score (``alone``: the text's own) by :data:`METADATA_SHIFT` or more, or across
    ``threshold``; for a flagged item and for one they took below its threshold alike, since
    either way the metadata, not the words, decided.

    >>> metadata_lines("misinformation", 0.11, 0.57, 0.33)
    ['engagement counts lowered the misinformation score from 0.57 to 0.11 (below its threshold, 0.33)']
    >>> metadata_lines("misinformation", 0.36, 0.31, 0.33, with_time=True)
    ['engagement counts and publication time raised the misinformation score from 0.31 to 0.36']
    >>> metadata_lines("misinformation", 0.40, 0.38, 0.33)
    []
    """
    crossed = alone < threshold <= proba or proba < threshold <= alone
    if abs(proba - alone) < METADATA_SHIFT and not crossed:
        return []
    verb = "raised" if proba > alone else "lowered"
    digits = 2 if f"{alone:.2f}" != f"{proba:.2f}" else 3  # a small move across the threshold shows
    what = "engagement counts and publication time" if with_time else "engagement counts"
    line = f"{what} {verb} the {name} score from {alone:.{digits}f} to {proba:.{digits}f}"
    if proba < threshold <= alone:
        line += f" (below its threshold, {threshold:g})"
    return [line]
