"""Short, checkable reasons for a flag: the words that pushed the score up and the style signals
that fired, in a form that fits a review-queue row."""
from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from .features import STYLE_SIGNALS, StyleFeatures, body_words, headline_words
from .text import PLACEHOLDER_DISPLAY, Doc

__all__ = ["reasons_for"]

#: How many words and signals a reason line names.
TOP_WORDS = 3
TOP_SIGNALS = 2
#: A metadata-driven change of the misinformation probability worth telling the reviewer.
METADATA_SHIFT = 0.15

_NAMES: dict[int, np.ndarray] = {}


def _names(vectorizer) -> np.ndarray:
    key = id(vectorizer)
    if key not in _NAMES:  # building the vocabulary array once per vectorizer (~50 ms)
        _NAMES[key] = vectorizer.get_feature_names_out()
    return _NAMES[key]


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


def _display(term: str) -> str:
    return " ".join(PLACEHOLDER_DISPLAY.get(w, w) for w in term.replace("|", " ").split(" "))


def _top_words(stack, doc: Doc) -> list[str]:
    totals: dict[str, float] = {}
    for _, base in stack.base_estimators_:
        parts = _linear_parts(base)
        if parts is None:
            continue
        vectorizer, coef = parts[0], parts[1]
        row = vectorizer.transform([doc])
        names = _names(vectorizer)
        for j, value in zip(row.indices, row.data):
            totals[names[j]] = float(value * coef[j])
        break  # the first linear word model explains the head
    top = sorted((t for t in totals.items() if t[1] > 0), key=lambda t: -t[1])[:TOP_WORDS]
    return [f"“{_display(term)}”" for term, _ in top]


def _style_weights(stack) -> tuple[StyleFeatures | None, dict]:
    for _, base in stack.base_estimators_:
        parts = _linear_parts(base)
        if parts and parts[2] is not None:
            return parts[2], dict(zip(parts[2].get_feature_names_out(), parts[3]))
    if getattr(stack, "style_", None) is not None:
        return stack.style_, stack.style_weights_
    return None, {}


def _signal_text(name: str, count: float) -> str:
    desc = STYLE_SIGNALS[name][0]
    if name == "all_caps":
        return f"{count:.0%} of words in CAPITALS"
    if name == "no_source":
        return "no source or link"
    return f"{count:g} {desc}"


def _signals(stack, doc: Doc) -> list[str]:
    style, weights = _style_weights(stack)
    if style is None:
        return []
    counts = style.counts(doc)
    fired = []
    for name, (_, scale) in STYLE_SIGNALS.items():
        if name == "length" or counts[name] <= 0:
            continue
        weight = weights.get(f"style:{name}", 0.0)
        if weight > 0:
            fired.append((min(counts[name] / scale, 1.0) * weight, _signal_text(name, counts[name])))
    fired.sort(key=lambda t: -t[0])
    return [text for _, text in fired[:TOP_SIGNALS]]


def reasons_for(head: str, stack, doc: Doc, proba: float, text_proba: float | None = None) -> list[str]:
    """Reason lines for one flagged head of one doc."""
    lines = []
    words = _top_words(stack, doc)
    signals = _signals(stack, doc)
    what = f"{head} {proba:.2f}"
    if head == "sensational" and doc.headline_kind == "opening":
        what += " (opening line)"
    if words:
        lines.append(f"{what}: words {', '.join(words)}")
    if signals:
        lines.append(f"{head} signals: {', '.join(signals)}")
    if not lines:
        lines.append(f"{what}: overall style, no single word stands out")
    if text_proba is not None and abs(proba - text_proba) >= METADATA_SHIFT:
        verb = "raised" if proba > text_proba else "lowered"
        lines.append(f"engagement metadata {verb} the {head} score from {text_proba:.2f} to {proba:.2f}")
    return lines
