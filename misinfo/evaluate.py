"""Metrics for a head's calibrated scores: the numbers the model card and ``misinfo evaluate`` report."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score

__all__ = ["expected_calibration_error", "ece_if_calibrated", "head_metrics", "bootstrap_interval", "confident_errors", "figures",
           "evaluate_model", "ECE_BINS", "BOOTSTRAP_RESAMPLES", "ERRORS_SHOWN"]

#: Equal-width probability bins for the expected calibration error.
ECE_BINS = 10
#: Resamples of every bootstrap interval (1000: the 2.5% and 97.5% percentiles are stable to about
#: 0.005 of a metric).  Read at call time, so a test may lower it to stay fast.
BOOTSTRAP_RESAMPLES = 1000
#: Most confident errors listed each way (false alarms, misses) by :func:`evaluate_model`.
ERRORS_SHOWN = 20


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


def ece_if_calibrated(proba, n: int | None = None, seed: int = 0) -> tuple[float, float]:
    """Median and 95th percentile of the ECE that a *perfectly calibrated* model with these
    probabilities would show on this many rows (labels drawn from the probabilities themselves).

    ECE is biased upwards on small samples: on a few hundred rows even a calibrated model shows
    several points of it.  This floor says how much of a measured ECE is sampling alone.
    """
    n = BOOTSTRAP_RESAMPLES if n is None else n
    proba = np.asarray(proba, dtype=float)
    rng = np.random.default_rng(seed)
    values = [expected_calibration_error(rng.random(len(proba)) < proba, proba) for _ in range(n)]
    median, high = np.percentile(values, [50, 95])
    return float(median), float(high)


def head_metrics(y, proba, threshold: float, intervals: bool = False) -> dict:
    """ROC-AUC, PR-AUC, macro-F1, precision, recall, flag rates and ECE at ``threshold``;
    with ``intervals``, also bootstrap 95% intervals (``<metric>_ci``) of each rate and the ECE
    a calibrated model would show on these rows (``ece_if_calibrated``: median, 95th percentile)."""
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
        out["ece_if_calibrated"] = ece_if_calibrated(proba)
    return out


def bootstrap_interval(metric, y, proba, n: int | None = None, seed: int = 0, level: float = 0.95):
    """Percentile bootstrap interval of ``metric(y, proba)`` over ``n`` (default
    :data:`BOOTSTRAP_RESAMPLES`) resampled rows."""
    n = BOOTSTRAP_RESAMPLES if n is None else n
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


def confident_errors(y, proba, threshold: float, texts, where=None, n: int | None = None) -> dict:
    """The ``n`` (default :data:`ERRORS_SHOWN`) most confident errors each way at ``threshold``.

    ``false_positives``: label 0, highest scores first; ``false_negatives``: label 1, lowest
    first.  Each error is ``{"where", "score", "label", "text"}`` with a 200-character excerpt.

    >>> confident_errors([0, 1, 1], [0.9, 0.2, 0.8], 0.5, ["a", "b", "c"])["false_negatives"]
    [{'where': '2', 'score': 0.2, 'label': 1, 'text': 'b'}]
    """
    n = ERRORS_SHOWN if n is None else n
    y = np.asarray(y).astype(int)
    proba = np.asarray(proba, dtype=float)
    where = [str(i + 1) for i in range(len(y))] if where is None else list(where)

    def pick(mask, order):
        idx = np.flatnonzero(mask)
        idx = idx[np.argsort(order * proba[idx], kind="stable")][:n]
        return [{"where": where[i], "score": round(float(proba[i]), 6), "label": int(y[i]),
                 "text": " ".join(str(texts[i]).split())[:200]} for i in idx]

    return {"false_positives": pick((y == 0) & (proba >= threshold), -1),
            "false_negatives": pick((y == 1) & (proba < threshold), 1)}


def figures(y, proba, threshold: float, title: str = "") -> dict:
    """matplotlib figures ``roc``, ``pr``, ``reliability`` and ``histogram`` of one head's scores.

    Needs matplotlib (``pip install 'misinfo[plot]'``).
    """
    import matplotlib
    from matplotlib.figure import Figure
    from sklearn.metrics import precision_recall_curve, roc_curve

    del matplotlib  # imported first so that a missing install fails here, with its own message
    y = np.asarray(y).astype(int)
    proba = np.asarray(proba, dtype=float)
    out = {}
    fig = Figure(figsize=(4.5, 4))
    ax = fig.subplots()
    fpr, tpr, _ = roc_curve(y, proba)
    ax.plot(fpr, tpr, label=f"ROC-AUC {roc_auc_score(y, proba):.3f}")
    ax.plot([0, 1], [0, 1], ls=":", c="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title=f"ROC {title}".strip())
    ax.legend(loc="lower right")
    out["roc"] = fig
    fig = Figure(figsize=(4.5, 4))
    ax = fig.subplots()
    precision, recall, _ = precision_recall_curve(y, proba)
    ax.plot(recall, precision, label=f"PR-AUC {average_precision_score(y, proba):.3f}")
    ax.axhline(y.mean(), ls=":", c="grey", label=f"base rate {y.mean():.3f}")
    ax.set(xlabel="recall", ylabel="precision", title=f"precision-recall {title}".strip())
    ax.legend(loc="lower left")
    out["pr"] = fig
    fig = Figure(figsize=(4.5, 4))
    ax = fig.subplots()
    bins = np.minimum((proba * ECE_BINS).astype(int), ECE_BINS - 1)
    used = [b for b in range(ECE_BINS) if (bins == b).any()]
    ax.plot([0, 1], [0, 1], ls=":", c="grey")
    ax.plot([proba[bins == b].mean() for b in used], [y[bins == b].mean() for b in used], "o-",
            label=f"ECE {expected_calibration_error(y, proba):.3f}")
    ax.set(xlabel="mean predicted probability", ylabel="observed positive rate",
           title=f"reliability {title}".strip(), xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    out["reliability"] = fig
    fig = Figure(figsize=(4.5, 4))
    ax = fig.subplots()
    edges = np.linspace(0, 1, 21)
    ax.hist(proba[y == 0], edges, alpha=0.6, label="label 0")
    ax.hist(proba[y == 1], edges, alpha=0.6, label="label 1")
    ax.axvline(threshold, c="k", ls="--", label=f"threshold {threshold:.3f}")
    ax.set(xlabel="score", ylabel="rows", title=f"scores {title}".strip())
    ax.legend()
    out["histogram"] = fig
    return out


def evaluate_model(model, data_paths, *, task: str, text_column: str, label_column: str,
                   title_column: str | None = None, metadata_columns=None, out_dir=None,
                   encoding: str | None = None, delimiter: str | None = None) -> dict:
    """Evaluate one head of a model on labelled CSV files and write a report.

    Every row is scored by ``model`` (a :class:`misinfo.Model`, a tier name or a model
    directory) and compared with its label (the task's values in :data:`misinfo.train.LABELS`).
    The files are read as :func:`misinfo.train.read_labelled` reads them (``encoding``,
    ``delimiter``: as in :func:`misinfo.score_csv`).
    Returns ``{"task", "model_version", "files", "metrics", "confusion_matrix", "errors", "opening_lines",
    "threshold_for_these_rows"}``:
    ROC-AUC, PR-AUC, macro-F1, precision and recall at the model's threshold and the expected
    calibration error, each with a bootstrap 95% interval; the confusion matrix
    ``[[tn, fp], [fn, tp]]``; the :data:`ERRORS_SHOWN` most confident errors each way; and
    ``threshold_for_these_rows``: the threshold the training rule (:func:`misinfo.train.choose_threshold`)
    picks on these rows, with the metrics at it, for a stream whose base rate differs from the
    training data's (optimistic: chosen and measured on the same rows; a caller applies it with
    ``thresholds={task: ...}`` or ``--threshold-<task>``).  With
    ``out_dir``, writes ``report.md``, ``metrics.json`` and, when matplotlib is installed,
    ``roc.png``, ``pr.png``, ``reliability.png`` and ``histogram.png``.

    The scores are those :meth:`misinfo.model.Model.score` gives (an empty text or one without
    words scores 0).  The threshold is the model's ``task`` threshold; in scoring, headlines that
    are only the opening line of an untitled post use the stricter ``sensational_opening`` instead
    (``opening_lines`` counts such rows, and the report says so).

    Raises
    ------
    ValueError
        Unknown task, missing column, unknown label value, or a single class in the data.
    """
    import json
    from pathlib import Path

    from sklearn.metrics import confusion_matrix

    from .model import Model, load_model
    from .text import analyse
    from .train import OBJECTIVES, TASKS, choose_threshold, read_labelled

    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if not isinstance(model, Model):
        model = load_model(model)
    rows = read_labelled(data_paths, task=task, text_column=text_column, label_column=label_column,
                         title_column=title_column, metadata_columns=metadata_columns, encoding=encoding,
                         delimiter=delimiter)
    y = np.asarray(rows.y, dtype=int)
    if len(np.unique(y)) != 2:
        raise ValueError(f"evaluation needs both classes in {label_column!r}; found only {np.unique(y).tolist()} "
                         f"in {len(y)} rows")
    docs = [analyse(t, title) for t, title in zip(rows.texts, rows.titles)]
    meta = None if rows.meta is None or task != "misinformation" else np.asarray(rows.meta, dtype=np.float64)
    # the scores `misinfo score` gives these rows: an empty text or one without words scores 0
    proba = np.array([getattr(s, task) for s in model.score_docs(docs, meta)])
    threshold = float(model.thresholds[task])
    result = {
        "task": task,
        "model_version": model.version,
        "files": rows.files,
        "metrics": head_metrics(y, proba, threshold, intervals=True),
        "confusion_matrix": confusion_matrix(y, proba >= threshold, labels=[0, 1]).tolist(),
        "errors": confident_errors(y, proba, threshold, rows.texts, rows.where),
        "threshold_for_these_rows": head_metrics(y, proba, choose_threshold(y, proba, objective=OBJECTIVES[task])),
        # scoring judges these at the stricter sensational_opening threshold; the figures above use one threshold
        "opening_lines": int(sum(d.headline_kind == "opening" for d in docs)) if task == "sensational" else 0,
    }
    if out_dir is None:
        return result
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "metrics.json", "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=2)
        f.write("\n")
    try:
        plots = figures(y, proba, threshold, task)
    except ImportError:
        plots_note = "Plots not drawn: matplotlib is not installed (`pip install 'misinfo[plot]'`)."
    else:
        for name, fig in plots.items():
            fig.savefig(out / f"{name}.png", dpi=100, bbox_inches="tight")
        plots_note = " ".join(f"![{name}]({name}.png)" for name in plots)
    with open(out / "report.md", "w", encoding="utf-8") as f:
        f.write(_report(result, plots_note))
    return result


def _report(result: dict, plots_note: str) -> str:
    m = result["metrics"]
    (tn, fp), (fn, tp) = result["confusion_matrix"]
    lines = [f"# Evaluation of `{result['model_version']}`, head `{result['task']}`", "",
             "Data: " + ", ".join(f"`{f['path']}` ({f['rows']} rows, sha256 {f['sha256'][:12]}…)" for f in result["files"]),
             "", f"{m['n']} rows, {m['positives']} positive; threshold {m['threshold']}.", "",
             "| metric | value | 95% bootstrap interval |", "|---|---|---|"]
    for key in ("roc_auc", "pr_auc", "macro_f1", "precision", "recall", "ece"):
        lo, hi = m[f"{key}_ci"]
        lines.append(f"| {key} | {m[key]:.4f} | [{lo:.4f}, {hi:.4f}] |")
    median, high = m["ece_if_calibrated"]
    lines += ["", f"A perfectly calibrated model with these scores would show an ECE of {median:.4f} on these "
              f"{m['n']} rows (95th percentile {high:.4f}): that much of the ECE is sample size alone.", "",
              "Confusion matrix at the threshold:", "", "| | predicted 0 | predicted 1 |", "|---|---|---|",
              f"| label 0 | {tn} | {fp} |", f"| label 1 | {fn} | {tp} |", ""]
    if result.get("opening_lines"):
        lines += [f"{result['opening_lines']} rows are untitled posts, whose headline is their opening line: "
                  "`misinfo score` flags those at the stricter `sensational_opening` threshold, so it flags no "
                  "more of them than the confusion matrix says.", ""]
    here = result["threshold_for_these_rows"]
    lines += [f"Threshold the training rule would choose on these rows: {here['threshold']} (macro-F1 "
              f"{here['macro_f1']:.4f}, precision {here['precision']:.4f}, recall {here['recall']:.4f}, "
              f"{here['flag_rate_negatives']:.1%} of label-0 rows flagged; chosen and measured on the same rows, "
              "so optimistic).  Where this stream's base rate differs from the training data's, it is the "
              f"threshold to try: `thresholds={{'{result['task']}': {here['threshold']}}}` or "
              f"`--threshold-{result['task']} {here['threshold']}`.", "", plots_note, ""]
    for key, heading in (("false_positives", "Most confident false alarms (label 0, highest scores)"),
                         ("false_negatives", "Most confident misses (label 1, lowest scores)")):
        lines += [f"## {heading}", "", "| row | score | text |", "|---|---|---|"]
        lines += [f"| {e['where']} | {e['score']:.3f} | {e['text'].replace('|', '/')} |" for e in result["errors"][key]]
        lines.append("")
    return "\n".join(lines)
