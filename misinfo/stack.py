"""The learned heads: out-of-fold stacking of text classifiers over :class:`~misinfo.text.Doc` s.

:class:`TextStack` is a scikit-learn classifier whose input ``X`` is a list of ``Doc`` objects
(and, optionally, a metadata array).  Its base estimators see the docs; their out-of-fold scores,
the style signals and the metadata feed a small final estimator that also calibrates.  Because
the final estimator is fitted on out-of-fold scores, its probabilities describe unseen text, not
the memorised training set.  For that, the folds keep near-duplicates together
(:func:`near_duplicate_groups`): a repost of one hoax under a new first line, or a bulletin
re-dated, is one story, and a fold that holds out one copy while training on another would score
it as if the model had never seen it, teaching the final estimator to trust the base scores more
than unseen text deserves.

A stack fitted with metadata keeps two final estimators: one for rows whose metadata is known and
one for text alone.  A row with no engagement count known (likes, comments and shares all NaN,
whether or not its publication time is given) is scored by the text-only one, so a caller who
passes no counts gets the text model, never the "counts are missing" pattern that happened to
mark unreliable posts in the training data (in ReINTEL `train`, all 51 posts with a time and no
counts are unreliable).  A row with only some counts known is read from those it has: with
``count_subsets`` the metadata model also learns each training row whose three counts are known
as a caller who knew only some of them would pass it.  Without that, a count left unknown read as
the crawl pattern behind ReINTEL's empty cells (ReINTEL has no post with likes alone, and comments
were missing almost only on those 51 posts, so likes alone read as "unreliable").
"""
from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted

from .estimators import MetadataFeatures, StyleFeatures
from .features import body_words, counts_known
from .text import unmarked_copy

__all__ = ["TextStack", "near_duplicate_groups", "counts_known", "counts_complete", "keep_counts", "COUNT_SUBSETS"]

#: The engagement counts a caller may know short of all three: the columns each copy of a
#: complete training row keeps (``TextStack(count_subsets=True)``).
COUNT_SUBSETS = ((0,), (1,), (2,), (0, 1), (0, 2), (1, 2))


def counts_complete(meta: np.ndarray) -> np.ndarray:
    """Rows of a metadata array with all three engagement counts known."""
    return ~np.isnan(meta[:, :3]).any(axis=1)


def keep_counts(meta: np.ndarray, keep) -> np.ndarray:
    """A copy of a metadata array in which only the counts whose columns are in ``keep`` stay
    known (the publication time is kept): what a caller who knew only those would pass.

    >>> keep_counts(np.array([[5.0, 2.0, 1.0, 1.6e9]]), (0,)).tolist()
    [[5.0, nan, nan, 1600000000.0]]
    """
    out = meta.copy()
    out[:, [c for c in range(3) if c not in keep]] = np.nan
    return out


#: Fewest distinct stories (near-duplicate groups) of each class: a stacking fold holds out whole
#: stories, and its training part, and the calibrator's folds inside that, must still hold both
#: classes (reposts of one hoax as the only positives failed deep in scikit-learn).
MIN_STORIES_PER_CLASS = 3
#: Similarities computed at once by :func:`near_duplicate_groups` (~150 MB of sparse products).
_SIMILARITY_BLOCK = 4_000_000


def near_duplicate_groups(docs, similarity: float = 0.7) -> np.ndarray:
    """A group number per doc: docs whose word tf-idf cosine reaches ``similarity`` (directly or
    through a chain of such pairs) share one.

    Compared a block of rows at a time against all, so memory stays bounded; time grows with the
    square of the number of docs (1.2 s for ReINTEL's 3,461 training posts).

    >>> from misinfo.text import analyse
    >>> post = "Uống nước muối ấm mỗi sáng giúp diệt virus corona trong cổ họng, hãy chia sẻ cho người thân"
    >>> near_duplicate_groups([analyse(post), analyse("Bác sĩ nói: " + post),
    ...                        analyse("Giá xăng giảm từ chiều nay")]).tolist()
    [0, 0, 1]
    """
    docs = list(docs)
    try:
        X = TfidfVectorizer(analyzer=body_words, sublinear_tf=True, dtype=np.float32).fit_transform(docs)
    except ValueError:  # no words at all
        return np.arange(len(docs))
    block = max(1, _SIMILARITY_BLOCK // len(docs))
    XT = X.T.tocsr()
    pairs = []
    for start in range(0, len(docs), block):
        S = (X[start:start + block] @ XT).tocoo()
        keep = S.data >= similarity
        pairs.append((S.row[keep] + start, S.col[keep]))
    rows, cols = (np.concatenate(p) for p in zip(*pairs))
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(docs), len(docs)))
    return connected_components(graph, directed=False)[1]


def _method(estimator) -> str:
    return "decision_function" if hasattr(estimator, "decision_function") else "predict_proba"


def _as_logit(scores: np.ndarray, method: str) -> np.ndarray:
    """A base estimator's output as log-odds (probabilities are clipped away from 0 and 1)."""
    if method == "decision_function":
        return np.asarray(scores, dtype=np.float64)
    p = np.clip(scores[:, 1], 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _score(estimator, X) -> np.ndarray:
    method = _method(estimator)
    return _as_logit(getattr(estimator, method)(X), method)


class TextStack(ClassifierMixin, BaseEstimator):
    """Stack of text classifiers with a calibrating final estimator.

    Parameters
    ----------
    base_estimators : list of (str, estimator)
        Classifiers that take a list of ``Doc`` and expose ``decision_function`` or
        ``predict_proba``.  The first one whose last step is linear explains the score
        (see :mod:`misinfo.explain`).
    final_estimator : estimator
        Fitted on ``[out-of-fold base scores, style signals, (metadata features)]``; its
        ``predict_proba`` is the head's probability, so it must be calibrated (logistic
        regression is; a boosted tree is wrapped in ``CalibratedClassifierCV`` by the trainer).
        One with folds of its own (an integer ``cv``) has them split by the stack's groups.
    style : {"headline", "body"} or None
        Which style signals to add to the final estimator's input.
    use_metadata : bool
        Whether ``fit`` and ``predict_proba`` take an engagement-metadata array
        (``[likes, comments, shares, published]`` per row, NaN = unknown).  Fitted without
        ``meta``, the stack has only the text-only final estimator.
    cv : int
        Folds for the out-of-fold base scores.
    random_state : int
        Seed of the fold split.
    near_duplicate : float or None
        Docs at least this alike (:func:`near_duplicate_groups`) stay in one fold; None: plain
        stratified folds.
    unmarked_copies : bool
        Also learn from a copy of every training doc typed without diacritics
        (:func:`~misinfo.text.unmarked_copy`), kept in its original's fold.  The out-of-fold
        probabilities (:meth:`validation_proba`) are those of the original rows.

    Attributes
    ----------
    near_duplicate_rows_ : int
        Training rows that share their fold group with another row.
    """

    def __init__(self, base_estimators, final_estimator, style=None, use_metadata=False, cv=5,
                 random_state=0, near_duplicate=0.7, unmarked_copies=False, count_subsets=False):
        self.base_estimators = base_estimators
        self.final_estimator = final_estimator
        self.style = style
        self.use_metadata = use_metadata
        self.cv = cv
        self.random_state = random_state
        self.near_duplicate = near_duplicate
        self.unmarked_copies = unmarked_copies
        self.count_subsets = count_subsets

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X, y, meta=None):
        X = list(X)
        y = np.asarray(y).astype(int)
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} docs but y has {len(y)} labels")
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"TextStack needs two classes in y, found {self.classes_.tolist()}")
        groups = None if self.near_duplicate is None else near_duplicate_groups(X, self.near_duplicate)
        self.near_duplicate_rows_ = 0 if groups is None else int((np.bincount(groups)[groups] > 1).sum())
        if groups is not None:
            if groups.max() + 1 < self.cv:
                raise ValueError(f"only {groups.max() + 1} distinct texts once near-duplicates are grouped; "
                                 f"{self.cv}-fold stacking needs at least {self.cv}")
            for label in self.classes_:
                distinct = len(np.unique(groups[y == label]))
                if distinct < MIN_STORIES_PER_CLASS:
                    raise ValueError(
                        f"the {int((y == label).sum())} rows labelled {label} are near-duplicates of only {distinct} "
                        f"distinct text(s) (reposts of one story stay in one fold); stacking needs at least "
                        f"{MIN_STORIES_PER_CLASS} distinct texts of each label")
        n = len(X)
        meta = np.asarray(meta, dtype=np.float64).reshape(n, 4) if self.use_metadata and meta is not None else None
        if self.unmarked_copies:  # each copy in its original's fold
            groups = np.tile(np.arange(n) if groups is None else groups, 2)
            X = X + [unmarked_copy(doc) for doc in X]
            y = np.tile(y, 2)
            meta = None if meta is None else np.tile(meta, (2, 1))
        if groups is None and self.count_subsets and meta is not None:  # count copies in their row's folds
            groups = np.arange(len(X))
        folds = (StratifiedKFold if groups is None else StratifiedGroupKFold)(
            self.cv, shuffle=True, random_state=self.random_state)
        oof = []
        self.base_estimators_ = []
        for name, estimator in self.base_estimators:
            method = _method(estimator)
            oof.append(_as_logit(cross_val_predict(clone(estimator), X, y, cv=folds, groups=groups, method=method),
                                 method))
            self.base_estimators_.append((name, clone(estimator).fit(X, y)))
        Z = np.column_stack(oof)
        self.style_ = StyleFeatures(self.style).fit(X) if self.style else None
        if self.style_ is not None:
            signals = self.style_.transform(X)
            # Which style signals raise the score: the reasons name only those.
            weights = LogisticRegression(max_iter=1000).fit(signals, y).coef_[0]
            self.style_weights_ = dict(zip(self.style_.get_feature_names_out(), weights.tolist()))
            Z = np.hstack([Z, signals])
        self.final_text_ = self._fit_final(Z, y, groups)
        # Out-of-fold probabilities of the whole stack: the validation data thresholds are chosen on.
        self.validation_proba_text_ = self._out_of_fold(Z, y, folds, groups)[:n]
        self.final_meta_ = None
        self.validation_proba_meta_ = None
        if meta is not None:
            self.metadata_ = MetadataFeatures().fit(meta)
            rows, meta_rows, weight = self._metadata_rows(meta)
            Zm = np.hstack([Z[rows], self.metadata_.transform(meta_rows)])
            self.final_meta_ = self._fit_final(Zm, y[rows], None if groups is None else groups[rows], weight)
            oof = self._out_of_fold(Zm, y, folds, groups, rows, weight)
            # rows without counts are scored by the text model, so their validation score is its
            self.validation_proba_meta_ = np.where(counts_known(meta[:n]), oof[:n], self.validation_proba_text_)
        return self

    def _metadata_rows(self, meta: np.ndarray):
        """The rows the metadata model learns from: ``(row indices, their metadata, weights)``.

        Every row as it is, then (``count_subsets``) a copy of each row with all three counts
        known per subset of them that a caller may know (the others set unknown), weighted so
        that the copies of one row weigh as much as the row."""
        rows, metas, weights = [np.arange(len(meta))], [meta], [np.ones(len(meta))]
        if self.count_subsets:
            complete = np.flatnonzero(counts_complete(meta))
            for keep in COUNT_SUBSETS:
                rows.append(complete)
                metas.append(keep_counts(meta[complete], keep))
                weights.append(np.full(len(complete), 1 / len(COUNT_SUBSETS)))
        return np.concatenate(rows), np.vstack(metas), np.concatenate(weights)

    def _fit_final(self, Z, y, groups, sample_weight=None):
        """A fitted clone of the final estimator.

        One that splits folds of its own (``CalibratedClassifierCV`` fitting its sigmoid on its
        tree's out-of-fold scores) splits them by ``groups`` too: a fold that held out one copy
        of a story while training on another would calibrate the sigmoid to the tree's memory of
        it, and the probabilities would come out overconfident on unseen text.
        """
        final = clone(self.final_estimator)
        cv = final.get_params(deep=False).get("cv")
        fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
        if groups is None or not isinstance(cv, int):
            return final.fit(Z, y, **fit_params)
        # a stacking fold of a small training set may hold fewer stories than folds: fewer folds
        inner = StratifiedGroupKFold(min(cv, len(np.unique(groups))), shuffle=True, random_state=self.random_state)
        final.set_params(cv=list(inner.split(Z, y, groups))).fit(Z, y, **fit_params)
        return final.set_params(cv=cv)  # the fitted model keeps no fold indices

    def _out_of_fold(self, Z, y, folds, groups, rows=None, sample_weight=None) -> np.ndarray:
        """Out-of-fold probabilities of the training rows ``y`` from the final estimator.

        ``Z`` holds a row per entry of ``rows``: the training rows themselves first, in order,
        then any copies of them (``rows`` names the row each copies), which are fitted in their
        row's folds and not scored."""
        rows = np.arange(len(y)) if rows is None else rows
        proba = np.empty(len(y))
        for train, test in folds.split(np.zeros(len(y)), y, groups):
            fit = np.isin(rows, train)
            fitted = self._fit_final(Z[fit], y[rows[fit]], None if groups is None else groups[rows[fit]],
                                     None if sample_weight is None else sample_weight[fit])
            proba[test] = fitted.predict_proba(Z[test])[:, 1]
        return proba

    def validation_proba(self, meta_known: bool = False) -> np.ndarray:
        """Out-of-fold probabilities of the training rows (with metadata when it was given)."""
        check_is_fitted(self, "final_text_")
        if meta_known and self.validation_proba_meta_ is not None:
            return self.validation_proba_meta_
        return self.validation_proba_text_

    def _stack(self, base_scores, X):
        cols = [base_scores]
        if self.style_ is not None:
            cols.append(self.style_.transform(X))
        return np.hstack(cols)

    # -- prediction ------------------------------------------------------------------------
    def base_scores(self, X) -> np.ndarray:
        """Base estimators' scores (log-odds), one column per base estimator."""
        check_is_fitted(self, "final_text_")
        return np.column_stack([_score(est, X) for _, est in self.base_estimators_])

    def predict_proba(self, X, meta=None) -> np.ndarray:
        """Calibrated class probabilities; rows with an engagement count known use the metadata."""
        proba, _ = self.predict_proba_both(X, meta)
        return proba

    def predict_proba_both(self, X, meta=None):
        """Return ``(probabilities, text_only_probabilities)``.

        The second array is the same as the first on rows scored without metadata; on rows with
        metadata it shows what the text alone said, which :mod:`misinfo.explain` reports.
        """
        X = list(X)
        Z = self._stack(self.base_scores(X), X)
        text_proba = self.final_text_.predict_proba(Z)
        proba = text_proba.copy()
        if meta is not None and self.final_meta_ is not None:
            meta = np.asarray(meta, dtype=np.float64).reshape(len(X), 4)
            known = counts_known(meta)
            if known.any():
                Zm = np.hstack([Z[known], self.metadata_.transform(meta[known])])
                proba[known] = self.final_meta_.predict_proba(Zm)
        return proba, text_proba

    def predict(self, X, meta=None):
        return self.classes_[(self.predict_proba(X, meta)[:, 1] >= 0.5).astype(int)]
