"""Short, checkable reasons for a flag: the words that pushed the score up and the style signals
that fired, in a form that fits a review-queue row."""
from __future__ import annotations

import threading
from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from .features import (LEXICON_SIGNALS, STYLE_SIGNALS, StyleFeatures, body_words, headline_words, lexicon_words,
                       style_counts)
from .text import _MARKED, PLACEHOLDER_DISPLAY, Doc

__all__ = ["reasons"]

#: How many words and signals a reason line names.
TOP_WORDS = 3
TOP_SIGNALS = 2
#: Words found in more than this share of a head's training texts are not named in its reasons.
COMMON_WORDS = 0.25
#: How many distinct words a lexicon signal (clickbait phrases, calls to share, teasers) quotes.
QUOTED_WORDS = 2
#: A metadata-driven change of the misinformation probability worth telling the reviewer.
METADATA_SHIFT = 0.15


class _Explainer:
    """What explains one head, extracted once per loaded stack: the first linear word model
    (vectorizer, term names, coefficients) and the style signals with their weights."""

    def __init__(self, stack):
        self.words = self.names = self.coef = None
        self.style: StyleFeatures | None = None
        self.style_weights: dict = {}
        for _, base in stack.base_estimators_:
            parts = _linear_parts(base)
            if parts is None:
                continue
            if self.words is None:
                self.words, self.coef = parts[0], parts[1]
                self.names = self.words.get_feature_names_out()
                # punctuation terms ("!", "?|!") are reported as style signals, not as words; words
                # in more than COMMON_WORDS of the training texts ("của", "và", "không") count in
                # the score like any other, but naming them gives the reviewer nothing to check
                named = np.array([any(c.isalnum() for c in n) for n in self.names])
                if getattr(self.words, "idf_", None) is not None:
                    named &= _share_as_written(self.words, self.names, stack) <= COMMON_WORDS
                self.coef = np.where(named, self.coef, 0.0)
            if parts[2] is not None and self.style is None:
                self.style = parts[2]
                self.style_weights = dict(zip(parts[2].get_feature_names_out(), parts[3]))
        if self.style is None and getattr(stack, "style_", None) is not None:
            self.style, self.style_weights = stack.style_, stack.style_weights_

    def top_words(self, docs) -> list[list[str]]:
        if self.words is None:
            return [[] for _ in docs]
        X = self.words.transform(docs).tocsr()
        out = []
        for i in range(X.shape[0]):
            lo, hi = X.indptr[i], X.indptr[i + 1]
            idx = X.indices[lo:hi]
            contrib = X.data[lo:hi] * self.coef[idx]
            order = np.argsort(-contrib, kind="stable")[:TOP_WORDS]
            out.append([f"“{_display(self.names[idx[k]])}”" for k in order if contrib[k] > 0])
        return out

    def signals(self, doc: Doc) -> list[str]:
        if self.style is None:
            return []
        text, tokens = self.style.text_and_tokens(doc)
        counts = style_counts(text, tokens)
        fired = []
        for name, (_, scale) in STYLE_SIGNALS.items():
            weight = self.style_weights.get(f"style:{name}", 0.0)
            if name != "length" and counts[name] > 0 and weight > 0:
                fired.append((min(counts[name] / scale, 1.0) * weight, name))
        fired.sort(key=lambda t: -t[0])
        return [_signal_text(name, counts[name], tokens) for _, name in fired[:TOP_SIGNALS]]


def _linear_parts(pipeline):
    """(word vectorizer, its coefficients, style transformer or None, style coefficients)."""
    if not isinstance(pipeline, Pipeline) or not hasattr(pipeline.steps[-1][1], "coef_"):
        return None
    first, coef = pipeline.steps[0][1], pipeline.steps[-1][1].coef_[0]
    if isinstance(first, TfidfVectorizer) and first.analyzer in (body_words, headline_words):
        return first, coef, None, None
    if isinstance(first, FeatureUnion):
        offset, words, style = 0, None, None
        for name, transformer in first.transformer_list:
            width = len(transformer.get_feature_names_out())
            if name == "words":
                words = (transformer, coef[offset:offset + width])
            elif name == "style":
                style = (transformer, coef[offset:offset + width])
            offset += width
        if words:
            return words[0], words[1], *(style or (None, None))
    return None


def training_share(vectorizer) -> np.ndarray:
    """The share of its training texts that hold each of a fitted tf-idf ``vectorizer``'s terms,
    read back from its smooth idf, ``ln((1 + n) / (1 + df)) + 1`` (so ``(1 + df) / (1 + n)``)."""
    return np.exp(1.0 - vectorizer.idf_)


def _share_as_written(vectorizer, names, stack) -> np.ndarray:
    """:func:`training_share` among the texts a term can occur in.  A stack that also learned each
    text typed without diacritics fitted its vectorizer on twice as many texts, and a term with
    marks ("có", in 46% of ReINTEL posts) occurs only in the originals: its share of all the
    texts is half its share of the texts as written."""
    share = training_share(vectorizer)
    if getattr(stack, "unmarked_copies", False):
        share = np.where([_MARKED.search(n) is not None for n in names], 2 * share, share)
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


_EXPLAINERS: dict[int, tuple[object, _Explainer]] = {}
_LOCK = threading.Lock()


def _explainer(stack) -> _Explainer:
    key = id(stack)
    with _LOCK:  # built once per loaded head (~50 ms: the vocabulary's term names)
        if key not in _EXPLAINERS or _EXPLAINERS[key][0] is not stack:
            _EXPLAINERS[key] = (stack, _Explainer(stack))
        return _EXPLAINERS[key][1]


def reasons(head: str, stack, docs, proba, text_proba=None) -> list[list[str]]:
    """Reason lines for one head, for each of ``docs`` (the flagged ones)."""
    if not docs:
        return []
    explainer = _explainer(stack)
    out = []
    for k, (doc, words) in enumerate(zip(docs, explainer.top_words(docs))):
        p = float(proba[k])
        what = f"{head} {p:.2f}" + (" (opening line)" if head == "sensational" and doc.headline_kind == "opening" else "")
        lines = []
        if words:
            lines.append(f"{what}: words {', '.join(words)}")
        signals = explainer.signals(doc)
        if signals:
            lines.append(f"{head} signals: {', '.join(signals)}")
        if not lines:
            lines.append(f"{what}: overall style, no single word stands out")
        if text_proba is not None and abs(p - float(text_proba[k])) >= METADATA_SHIFT:
            verb = "raised" if p > text_proba[k] else "lowered"
            lines.append(f"engagement metadata {verb} the {head} score from {float(text_proba[k]):.2f} to {p:.2f}")
        out.append(lines)
    return out
