"""Metrics for a head's calibrated scores: the numbers the model card and ``misinfo evaluate`` report."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score

__all__ = ["expected_calibration_error", "head_metrics", "ECE_BINS"]

#: Equal-width probability bins for the expected calibration error.
ECE_BINS = 10


def expected_calibration_error(y, proba, n_bins: int = ECE_BINS) -> float:
    """Mean |observed rate - mean probability| over equal-width bins, weighted by bin size.

    >>> expected_calibration_error([0, 1], [0.0, 1.0])
    0.0
    """
    y = np.asarray(y, dtype=float)
    proba = np.asarray(proba, dtype=float)
    bins = np.minimum((proba * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            total += mask.sum() * abs(y[mask].mean() - proba[mask].mean())
    return float(total / len(y))


def head_metrics(y, proba, threshold: float, intervals: bool = False) -> dict:
    """ROC-AUC, PR-AUC, macro-F1, precision, recall, flag rates and ECE at ``threshold``;
    with ``intervals``, also bootstrap 95% intervals (``<metric>_ci``) of each rate."""
    y = np.asarray(y).astype(int)
    proba = np.asarray(proba, dtype=float)
    pred = proba >= threshold
    out = {
        "n": int(len(y)),
        "positives": int(y.sum()),
        "roc_auc": float(roc_auc_score(y, proba)),
        "pr_auc": float(average_precision_score(y, proba)),
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred)),
        "flag_rate_negatives": float(pred[y == 0].mean()),
        "ece": expected_calibration_error(y, proba),
        "threshold": float(threshold),
    }
    if intervals:
        at = lambda f: (lambda yy, pp: f(yy, pp >= threshold))  # noqa: E731
        for name, metric in (
            ("roc_auc", roc_auc_score), ("pr_auc", average_precision_score),
            ("macro_f1", at(lambda yy, pr: f1_score(yy, pr, average="macro"))),
            ("precision", at(lambda yy, pr: precision_score(yy, pr, zero_division=0))),
            ("recall", at(recall_score)), ("ece", expected_calibration_error),
        ):
            out[f"{name}_ci"] = bootstrap_interval(metric, y, proba)
    return out


def bootstrap_interval(metric, y, proba, n: int = 1000, seed: int = 0, level: float = 0.95):
    """Percentile bootstrap interval of ``metric(y, proba)`` over resampled rows."""
    y = np.asarray(y)
    proba = np.asarray(proba, dtype=float)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        if len(np.unique(y[idx])) == 2:
            values.append(metric(y[idx], proba[idx]))
    lo, hi = np.percentile(values, [(1 - level) / 2 * 100, (1 + level) / 2 * 100])
    return float(lo), float(hi)
