"""The shipped form of a trained head: plain arrays that score with numpy alone.

A fitted :class:`~misinfo.stack.TextStack` is a tree of scikit-learn objects.  Shipped as a
pickle, it would run code from the file when loaded, and scoring would have to import
scikit-learn first: 1.0–1.7 s of a 2.5–3.6 s cold start on the project's machine, most of it
``scipy.stats``, which scoring never uses.  :func:`compile_head` reads from the fitted stack the
numbers that scoring needs (each vectorizer's vocabulary and idf weights, each linear model's
coefficients, the boosted trees' nodes, the calibrating sigmoid) into a :class:`Head`: a JSON
spec and named numpy arrays, saved as one ``.npz`` file that is read without unpickling anything.

A :class:`Head` computes what scikit-learn computes, in the same order and precision (tf-idf in
float32, sums in float64 in column order), so its probabilities equal the fitted stack's to the
last few bits (tested on every shipped head).  It supports what :mod:`misinfo.train` builds: bases
that are a tf-idf vectorizer, sentence embeddings, or a ``FeatureUnion`` of those and style
signals, each followed by a ``LogisticRegression``; final estimators that are a
``LogisticRegression`` or a sigmoid ``CalibratedClassifierCV`` (``ensemble=False``) around a
``HistGradientBoostingClassifier`` on numeric features.  Anything else is refused, by name, when
the model is saved, not when it is loaded.
"""
from __future__ import annotations

import json
import zipfile
from itertools import repeat
from pathlib import Path

import numpy as np

from .features import (ANALYZERS, EMBEDDING_WIDTH, INDEX_MIN_DOCS, NGRAM_WORDS, SIGNAL_NAMES, TERM_SEP, NgramIndex,
                       counts_known, metadata_matrix, sentence_embeddings, short_text_scale, style_matrix)

__all__ = ["Head", "compile_head", "save_head", "load_head", "UnsupportedModel"]

#: The array in a head's ``.npz`` file that holds its spec (UTF-8 JSON bytes).
_SPEC = "spec.json"


class UnsupportedModel(ValueError):
    """A fitted stack holds an estimator that :func:`compile_head` cannot carry over."""


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _dot(X: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``X @ coef`` as scikit-learn's linear models compute it (``X @ coef_.T``, a one-column
    matrix product), so BLAS sums in the same order."""
    return (X @ coef.reshape(1, -1).T).ravel()


# -- blocks: docs -> feature entries ---------------------------------------------------------------
class _Tfidf:
    """A fitted tf-idf vectorizer: vocabulary, idf weights, sublinear tf, l2 norm, and the
    precision (``dtype``) its matrix is computed in."""

    sparse = True

    def __init__(self, analyzer: str, terms: list[str], idf: np.ndarray, sublinear: bool, dtype: str,
                 min_words: int | None = None):
        self.analyzer = analyzer
        self.min_words = min_words
        self.analyze = ANALYZERS[analyzer]
        self.terms = terms
        self.vocabulary = {t: i for i, t in enumerate(terms)}
        self.idf = idf
        self.sublinear = sublinear
        self.dtype = np.dtype(dtype)
        self.width = len(terms)
        self._index = None  # built on the first batch of INDEX_MIN_DOCS docs (~50 ms); then kept

    def _occurrences(self, docs):
        words_of = NGRAM_WORDS.get(self.analyze)
        if words_of is not None and (self._index is not None or len(docs) >= INDEX_MIN_DOCS):
            if self._index is None:
                self._index = NgramIndex(self.vocabulary)  # two threads may both build it: equal
            return self._index.count(docs, words_of)
        get, ids, lengths = self.vocabulary.get, [], []
        for doc in docs:
            before = len(ids)
            ids.extend(map(get, self.analyze(doc), repeat(-1)))
            lengths.append(len(ids) - before)
        cols = np.array(ids, dtype=np.int64)
        rows = np.repeat(np.arange(len(docs)), lengths)
        return rows[cols >= 0], cols[cols >= 0]

    def entries(self, docs):
        """``(rows, columns, values)`` of the tf-idf matrix, by row then column, as scikit-learn's
        ``TfidfVectorizer.transform`` computes them (counts in ``dtype``, each operation in place)."""
        rows, cols = self._occurrences(docs)
        keys, counts = np.unique(rows * max(self.width, 1) + cols, return_counts=True)
        rows, cols = np.divmod(keys, max(self.width, 1))
        x = counts.astype(self.dtype)
        if self.sublinear:
            np.log(x, out=x)
            x += 1.0
        np.multiply(x, self.idf[cols], out=x, casting="same_kind")
        squares = np.bincount(rows, weights=x * x, minlength=len(docs))  # float products, double sums
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        np.divide(x, norms[rows], out=x, casting="same_kind")
        if self.min_words is not None:
            x *= short_text_scale(docs, self.analyze, self.min_words).astype(x.dtype)[rows]
        return rows, cols, x

    def save(self, key: str, arrays: dict) -> dict:
        arrays[f"{key}.terms"] = np.frombuffer(TERM_SEP.join(self.terms).encode("utf-8"), dtype=np.uint8)
        arrays[f"{key}.idf"] = self.idf
        return {"kind": "tfidf", "analyzer": self.analyzer, "sublinear_tf": self.sublinear, "dtype": self.dtype.name,
                "min_words": self.min_words}

    @classmethod
    def load(cls, spec: dict, key: str, arrays) -> _Tfidf:
        joined = arrays[f"{key}.terms"].tobytes().decode("utf-8")
        return cls(spec["analyzer"], joined.split(TERM_SEP) if joined else [], arrays[f"{key}.idf"], spec["sublinear_tf"],
                   spec["dtype"], spec.get("min_words"))


class _Style:
    """The style signals of the headline or the body (:func:`misinfo.features.style_matrix`)."""

    sparse = False

    def __init__(self, part: str):
        self.part = part
        self.width = len(SIGNAL_NAMES)

    def dense(self, docs) -> np.ndarray:
        return style_matrix(docs, self.part)

    def save(self, key: str, arrays: dict) -> dict:
        return {"kind": "style", "part": self.part}

    @classmethod
    def load(cls, spec: dict, key: str, arrays) -> _Style:
        return cls(spec["part"])


class _Embedding:
    """Sentence embeddings (:func:`misinfo.features.sentence_embeddings`; the ``accurate`` tier)."""

    sparse = False

    def __init__(self, part: str, max_chars: int | None):
        self.part, self.max_chars = part, max_chars
        self.width = EMBEDDING_WIDTH

    def dense(self, docs) -> np.ndarray:
        return sentence_embeddings(docs, self.part, self.max_chars)

    def save(self, key: str, arrays: dict) -> dict:
        return {"kind": "embedding", "part": self.part, "max_chars": self.max_chars, "tone_marks": "new"}

    @classmethod
    def load(cls, spec: dict, key: str, arrays) -> _Embedding:
        if spec.get("tone_marks") != "new":
            # before 2026-11-27 the encoder read old and new tone-mark placement ("hoà", "hòa") as
            # written, so such a model learned from text read otherwise than it would now score
            raise ValueError("its sentence-embedding model was trained on text with tone marks as "
                             "written; this misinfo embeds them in the new placement. Retrain it with "
                             "`misinfo train`, or use the misinfo release it was trained with")
        return cls(spec["part"], spec["max_chars"])


_BLOCKS = {"tfidf": _Tfidf, "style": _Style, "embedding": _Embedding}


# -- models: features -> scores ------------------------------------------------------------------
class Linear:
    """A base model: feature blocks side by side, then a linear decision (log-odds)."""

    def __init__(self, blocks: list[tuple[str, object]], coef: np.ndarray, intercept: np.ndarray):
        self.blocks, self.coef, self.intercept = blocks, coef, intercept  # in the fitted model's precision
        self.offsets = np.cumsum([0] + [b.width for _, b in blocks])[:-1].tolist()

    def block(self, name: str):
        """``(block, its coefficients)`` for the block called ``name``, or ``(None, None)``."""
        for (n, b), start in zip(self.blocks, self.offsets):
            if n == name:
                return b, self.coef[start:start + b.width]
        return None, None

    def decision(self, docs) -> np.ndarray:
        """Log-odds as ``LogisticRegression.decision_function`` gives them after the pipeline's
        features: in the precision scikit-learn computes them (float32 for a model fitted on a
        float32 tf-idf matrix alone), the terms of each row added in the same order."""
        if not any(b.sparse for _, b in self.blocks):  # dense features: one matrix product
            X = np.hstack([b.dense(docs) for _, b in self.blocks])
            return _dot(X, self.coef) + self.intercept
        # Sparse: a FeatureUnion stacks its blocks side by side (in the widest precision among
        # them), and a row's entries are added in column order.
        rows, cols, values = [], [], []
        for (_, b), start in zip(self.blocks, self.offsets):
            if b.sparse:
                r, c, x = b.entries(docs)
            else:
                dense = b.dense(docs)
                r, c = np.nonzero(dense)
                x = dense[r, c]
            rows.append(r)
            cols.append(c + start)
            values.append(x)
        dtype = np.result_type(*values, self.coef)
        products = np.concatenate(values).astype(dtype) * self.coef[np.concatenate(cols)]
        return _row_sums(np.concatenate(rows), products, len(docs)) + self.intercept

    def save(self, key: str, arrays: dict) -> dict:
        arrays[f"{key}.coef"], arrays[f"{key}.intercept"] = self.coef, self.intercept
        return {"blocks": [{"name": n, **b.save(f"{key}.{n}", arrays)} for n, b in self.blocks]}

    @classmethod
    def load(cls, spec: dict, key: str, arrays) -> Linear:
        blocks = [(b["name"], _BLOCKS[b["kind"]].load(b, f"{key}.{b['name']}", arrays)) for b in spec["blocks"]]
        return cls(blocks, arrays[f"{key}.coef"], arrays[f"{key}.intercept"])


def _row_sums(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Each row's values added one at a time, in the order given and in their own precision, as
    scipy's sparse matrix-vector product adds them (numpy's own sums add in pairs, which rounds
    differently).  ``rows`` lists, for each value, its row: each row's values in column order."""
    if values.dtype == np.float64:
        return np.bincount(rows, weights=values, minlength=n)  # adds in array order, in float64
    order = np.argsort(rows, kind="stable")
    rows, values = rows[order], values[order]
    position = np.arange(len(rows)) - np.searchsorted(rows, np.arange(n))[rows]
    grid = np.zeros((n, int(position.max()) + 1 if len(rows) else 0), dtype=values.dtype)
    grid[rows, position] = values
    out = np.zeros(n, dtype=values.dtype)
    for column in grid.T:  # x + 0 == x: the padding changes nothing
        out += column
    return out


class _Logistic:
    """A final logistic regression: probability = expit(z · coef + intercept)."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray):
        self.coef, self.intercept = coef, intercept

    def proba(self, Z: np.ndarray) -> np.ndarray:
        return _expit(_dot(Z, self.coef) + self.intercept)

    def save(self, key: str, arrays: dict) -> dict:
        arrays[f"{key}.coef"], arrays[f"{key}.intercept"] = self.coef, self.intercept
        return {"kind": "logistic"}

    @classmethod
    def load(cls, spec: dict, key: str, arrays) -> _Logistic:
        return cls(arrays[f"{key}.coef"], arrays[f"{key}.intercept"])


class _CalibratedTrees:
    """Boosted trees (raw score = baseline + the leaf of every tree, added in tree order) and the
    sigmoid that calibrates them: probability = expit(-(a · raw + b))."""

    _FIELDS = ("feature", "threshold", "missing_left", "left", "right", "leaf", "value", "roots")

    def __init__(self, arrays: dict, baseline: float, a: float, b: float):
        for name in self._FIELDS:
            setattr(self, name, arrays[name])
        self.baseline, self.a, self.b = baseline, a, b

    def raw(self, Z: np.ndarray) -> np.ndarray:
        node = np.tile(self.roots, (len(Z), 1))
        row = np.arange(len(Z))[:, None]
        while True:
            inner = ~self.leaf[node]
            if not inner.any():
                break
            x = Z[row, self.feature[node]]
            left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            node = np.where(inner, np.where(left, self.left[node], self.right[node]), node)
        leaves = self.value[node]
        out = np.full(len(Z), self.baseline)
        for t in range(leaves.shape[1]):
            out += leaves[:, t]
        return out

    def proba(self, Z: np.ndarray) -> np.ndarray:
        return _expit(-(self.a * self.raw(Z) + self.b))

    def save(self, key: str, arrays: dict) -> dict:
        arrays.update({f"{key}.{name}": getattr(self, name) for name in self._FIELDS})
        return {"kind": "calibrated_trees", "baseline": self.baseline, "a": self.a, "b": self.b}

    @classmethod
    def load(cls, spec: dict, key: str, arrays) -> _CalibratedTrees:
        return cls({name: arrays[f"{key}.{name}"] for name in cls._FIELDS}, spec["baseline"], spec["a"], spec["b"])


_FINALS = {"logistic": _Logistic, "calibrated_trees": _CalibratedTrees}


# -- the head ------------------------------------------------------------------------------------
class Head:
    """One trained head as the runtime scores with it; the same predictions as the stack it was
    compiled from (:meth:`predict_proba`, :meth:`predict_proba_both`).

    Attributes
    ----------
    bases : list of (str, Linear)
        The base models, in the stack's order; their log-odds are the final model's first inputs.
    style_part : str or None
        Style signals ("headline"/"body") added to the final model's input, if any.
    style_weights : dict
        ``style:<signal>`` -> weight of a logistic regression of the label on the signals alone
        (which signals raise the score; :mod:`misinfo.explain` names only those).
    unmarked_copies : bool
        Whether the stack also learned each training text typed without diacritics.
    """

    def __init__(self, bases, final_text, final_meta=None, style_part=None, style_weights=None,
                 unmarked_copies=False):
        self.bases = bases
        self.final_text, self.final_meta = final_text, final_meta
        self.style_part, self.style_weights = style_part, dict(style_weights or {})
        self.unmarked_copies = unmarked_copies

    def base_scores(self, docs) -> np.ndarray:
        """Base models' scores (log-odds), one column per base model."""
        return np.column_stack([linear.decision(docs).astype(np.float64) for _, linear in self.bases])

    def predict_proba_both(self, docs, meta=None):
        """Return ``(probabilities, text_only_probabilities)``, each ``(n, 2)``: as
        :meth:`misinfo.stack.TextStack.predict_proba_both` (rows with an engagement count known
        are scored with the metadata)."""
        docs = list(docs)
        if not docs:
            return np.empty((0, 2)), np.empty((0, 2))
        Z = self.base_scores(docs)
        if self.style_part is not None:
            Z = np.hstack([Z, style_matrix(docs, self.style_part)])
        p_text = self.final_text.proba(Z)
        p = p_text.copy()
        if meta is not None and self.final_meta is not None:
            meta = np.asarray(meta, dtype=np.float64).reshape(len(docs), 4)
            known = counts_known(meta)
            if known.any():
                p[known] = self.final_meta.proba(np.hstack([Z[known], metadata_matrix(meta[known])]))
        return np.column_stack([1.0 - p, p]), np.column_stack([1.0 - p_text, p_text])

    def predict_proba(self, docs, meta=None) -> np.ndarray:
        return self.predict_proba_both(docs, meta)[0]

    # -- files -------------------------------------------------------------------------------------
    def to_arrays(self) -> dict:
        arrays: dict[str, np.ndarray] = {}
        spec = {
            "bases": [{"name": name, **linear.save(f"base.{name}", arrays)} for name, linear in self.bases],
            "final_text": self.final_text.save("final_text", arrays),
            "final_meta": None if self.final_meta is None else self.final_meta.save("final_meta", arrays),
            "style_part": self.style_part, "style_weights": self.style_weights,
            "unmarked_copies": self.unmarked_copies,
        }
        arrays[_SPEC] = np.frombuffer(json.dumps(spec, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> Head:
        spec = json.loads(arrays[_SPEC].tobytes().decode("utf-8"))
        bases = [(b["name"], Linear.load(b, f"base.{b['name']}", arrays)) for b in spec["bases"]]
        final = {k: None if spec[k] is None else _FINALS[spec[k]["kind"]].load(spec[k], k, arrays)
                 for k in ("final_text", "final_meta")}
        return cls(bases, final["final_text"], final["final_meta"], spec["style_part"], spec["style_weights"],
                   spec["unmarked_copies"])


def save_head(head: Head, path) -> None:
    """Write ``head`` to ``path`` as an ``.npz`` file, byte for byte the same for the same head
    (fixed member times, so a rebuild's sha256 changes only when the numbers do)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, array in sorted(head.to_arrays().items()):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.ascontiguousarray(array), allow_pickle=False)


def load_head(path) -> Head:
    """Read a head written by :func:`save_head` (no pickles: nothing in the file runs)."""
    with np.load(Path(path), allow_pickle=False) as z:
        return Head.from_arrays({name: z[name] for name in z.files})


# -- from a fitted stack -------------------------------------------------------------------------
def compile_head(stack) -> Head:
    """The :class:`Head` of a fitted :class:`~misinfo.stack.TextStack` (a :class:`Head` is
    returned as it is).  Raises :class:`UnsupportedModel` for an estimator it cannot carry over."""
    if isinstance(stack, Head):
        return stack
    if not hasattr(stack, "final_text_") or not hasattr(stack, "base_estimators_"):
        raise UnsupportedModel(f"{type(stack).__name__} is not a fitted TextStack")
    if list(stack.classes_) != [0, 1]:
        raise UnsupportedModel(f"a head's classes must be [0, 1], got {list(stack.classes_)}")
    bases = [(name, _linear(name, est)) for name, est in stack.base_estimators_]
    style = stack.style_.part if stack.style_ is not None else None
    return Head(bases, _final(stack.final_text_), None if stack.final_meta_ is None else _final(stack.final_meta_),
                style, getattr(stack, "style_weights_", {}) if style else {}, bool(stack.unmarked_copies))


def _linear(name: str, pipeline) -> Linear:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2 or \
            not isinstance(pipeline.steps[-1][1], LogisticRegression):
        raise UnsupportedModel(f"base {name!r}: a head's bases must be Pipeline(features, LogisticRegression)")
    (first_name, first), (_, lr) = pipeline.steps
    parts = first.transformer_list if isinstance(first, FeatureUnion) else [(first_name, first)]
    if isinstance(first, FeatureUnion) and (first.transformer_weights or any(t in ("drop", "passthrough")
                                                                              for _, t in parts)):
        raise UnsupportedModel(f"base {name!r}: FeatureUnion weights, 'drop' and 'passthrough' are not supported")
    blocks = [(n, _block(f"{name}.{n}", t)) for n, t in parts]
    if isinstance(first, FeatureUnion) and any(b.sparse for _, b in blocks) and \
            any(isinstance(b, _Embedding) for _, b in blocks):
        raise UnsupportedModel(f"base {name!r}: sentence embeddings beside a vectorizer are not supported")
    return Linear(blocks, np.array(lr.coef_[0]), np.array(lr.intercept_))


def _block(name: str, transformer):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from .estimators import SentenceEmbedding, StyleFeatures

    if isinstance(transformer, TfidfVectorizer):
        analyzer = getattr(transformer.analyzer, "__name__", None)
        if ANALYZERS.get(analyzer) is not transformer.analyzer or transformer.norm != "l2" \
                or not transformer.use_idf or transformer.binary:
            raise UnsupportedModel(f"{name}: a vectorizer must use one of {sorted(ANALYZERS)}, "
                                   "idf weights and the l2 norm, without binary counts")
        vocabulary = transformer.vocabulary_
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        if any(TERM_SEP in t for t in terms):
            raise UnsupportedModel(f"{name}: a term holds a NUL character")
        return _Tfidf(analyzer, terms, np.array(transformer.idf_), bool(transformer.sublinear_tf),
                      np.dtype(transformer.dtype).name, getattr(transformer, "min_words", None))
    if type(transformer) is StyleFeatures:
        return _Style(transformer.part)
    if type(transformer) is SentenceEmbedding:
        return _Embedding(transformer.part, transformer.max_chars)
    raise UnsupportedModel(f"{name}: {type(transformer).__name__} is not a feature the runtime computes")


def _final(estimator):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    if isinstance(estimator, LogisticRegression):
        return _Logistic(np.array(estimator.coef_[0]), np.array(estimator.intercept_))
    if isinstance(estimator, CalibratedClassifierCV) and estimator.method == "sigmoid" \
            and len(estimator.calibrated_classifiers_) == 1:
        calibrated = estimator.calibrated_classifiers_[0]
        trees = calibrated.estimator
        if isinstance(trees, HistGradientBoostingClassifier) and trees.is_categorical_ is None \
                and len(trees._predictors[0]) == 1:
            (sigmoid,) = calibrated.calibrators
            return _CalibratedTrees(_tree_arrays([p[0].nodes for p in trees._predictors]),
                                    float(trees._baseline_prediction.ravel()[0]), float(sigmoid.a_), float(sigmoid.b_))
    raise UnsupportedModel(f"final estimator {estimator!r}: only LogisticRegression and a sigmoid "
                           "CalibratedClassifierCV(HistGradientBoostingClassifier, ensemble=False) are supported")


def _tree_arrays(trees) -> dict:
    """Every tree's nodes in one set of arrays; child indices point into them."""
    starts = np.cumsum([0] + [len(nodes) for nodes in trees])[:-1]
    nodes = np.concatenate(trees)
    offset = np.repeat(starts, [len(n) for n in trees])
    return {
        "feature": nodes["feature_idx"].astype(np.int64), "threshold": nodes["num_threshold"].astype(np.float64),
        "missing_left": nodes["missing_go_to_left"].astype(bool),
        "left": nodes["left"].astype(np.int64) + offset, "right": nodes["right"].astype(np.int64) + offset,
        "leaf": nodes["is_leaf"].astype(bool), "value": nodes["value"].astype(np.float64),
        "roots": starts.astype(np.int64),
    }
