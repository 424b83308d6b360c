"""How a head does on stories it has not seen: outer folds that keep near-duplicates together.

The check behind the threshold rule, the near-duplicate stacking folds and the calibration
figures in docs/quality_experiments.md.  For each seed, the training rows the shipped head is
built from (ReINTEL ``train`` with its metadata, or ViClickbait ``train`` + ``val``; identical texts
once) are cut into five parts by ``StratifiedGroupKFold`` over character 3-5-gram groups (cosine
>= 0.8, a grouping of its own, not the one the stack uses inside).  The head is fitted on four parts
exactly as the build fits it (``fit_head``: its threshold chosen on its own out-of-fold
probabilities) and scores the fifth.  ``test`` is never read.

Per part it prints ROC-AUC, F1 of the positive class and macro-F1 at the part's threshold, the
share of negatives flagged and the ECE, with the ECE a calibrated model would show on the same
rows (median, 95th percentile); then the same pooled over the five parts (each flagged at its own
threshold), and a summary of the ECE over all parts of all seeds.

    python scripts/heldout_by_story.py sensational --seeds 5
    python scripts/heldout_by_story.py misinformation --seeds 3 --datasets ../shared/datasets
    python scripts/heldout_by_story.py sensational --tier accurate --unmarked-copies off --without-marks

``--without-marks`` also scores every held-out part with its diacritics removed; ``--unmarked-copies``
overrides whether the head learns such copies of its training rows (session 8).  ``--partial-counts``
(misinformation) also scores every held-out post whose three counts are known as a caller who
knows only some of them would (likes only, likes and comments, ...; the time kept): pooled over the
five parts, with the text-only score of the same posts for reference (session 11).
"""
from __future__ import annotations

import argparse
import os
import re

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy.sparse.csgraph import connected_components  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import f1_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402

from misinfo.evaluate import ece_if_calibrated, expected_calibration_error  # noqa: E402
from misinfo.metadata import METADATA_COLUMNS  # noqa: E402
from misinfo.stack import COUNT_SUBSETS, counts_complete, keep_counts  # noqa: E402
from misinfo.text import analyse, without_marks  # noqa: E402
from misinfo.train import TASKS, TIERS, fit_head, read_reintel, read_viclickbait  # noqa: E402

#: The engagement counts a caller may know short of all three (``--partial-counts``), by name.
PARTIAL_COUNTS = {"+".join(METADATA_COLUMNS[c] for c in keep): keep for keep in COUNT_SUBSETS}


def story_groups(texts, similarity: float = 0.8) -> np.ndarray:
    """A group per chain of texts whose character 3-5-gram tf-idf cosine reaches ``similarity``."""
    plain = [re.sub(r"\W+", " ", t.lower()).strip() for t in texts]
    X = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(plain)
    return connected_components((X @ X.T) >= similarity, directed=False)[1]


def summary(name: str, y, proba, flags) -> tuple[str, dict]:
    m = {"n": len(y), "roc_auc": roc_auc_score(y, proba), "f1": f1_score(y, flags),
         "macro_f1": f1_score(y, flags, average="macro"), "negatives_flagged": flags[y == 0].mean(),
         "ece": expected_calibration_error(y, proba), "floor": ece_if_calibrated(proba)}
    return (f"{name:>16}  n {m['n']:5d}  ROC-AUC {m['roc_auc']:.4f}  F1 {m['f1']:.4f}  macro-F1 {m['macro_f1']:.4f}  "
            f"negatives flagged {m['negatives_flagged']:.3f}  ECE {m['ece']:.4f} "
            f"(calibrated: {m['floor'][0]:.4f}, p95 {m['floor'][1]:.4f})"), m


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=TASKS)
    parser.add_argument("--tier", choices=TIERS, default="fast")
    parser.add_argument("--seeds", type=int, default=3, help="how many outer fold seeds (default 3)")
    parser.add_argument("--first-seed", type=int, default=100, help="the first outer fold seed (default 100)")
    parser.add_argument("--datasets", default=os.environ.get("DATASETS", "../shared/datasets"))
    parser.add_argument("--without-marks", action="store_true", help="also score each part typed without diacritics")
    parser.add_argument("--text-only", action="store_true",
                        help="score the held-out posts without their metadata (the head is still fitted with it)")
    parser.add_argument("--unmarked-copies", choices=("on", "off"), help="override the head's setting")
    parser.add_argument("--partial-counts", action="store_true",
                        help="also score the posts with all three counts known as if only some were (misinformation)")
    args = parser.parse_args(argv)
    if args.partial_counts and args.task != "misinformation":
        parser.error("--partial-counts needs the misinformation task")

    if args.task == "misinformation":
        data = read_reintel(args.datasets)
        splits = ("train",)
    else:
        data = read_viclickbait(args.datasets)
        splits = ("train", "val")
    rows = data.rows(*splits, unique=True)
    docs, y, meta, _ = data.part(*splits, unique=True)
    groups = story_groups([data.texts[i] for i in rows])
    bare = [analyse(without_marks(data.texts[i])) for i in rows] if args.without_marks else None
    print(f"{args.task} ({args.tier}): {len(y)} distinct training rows, {y.mean():.1%} positive, "
          f"{len(y) - len(set(groups))} in a group with another")
    override = {} if args.unmarked_copies is None else {"unmarked_copies": args.unmarked_copies == "on"}
    parts = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        outer = StratifiedGroupKFold(5, shuffle=True, random_state=seed)
        proba, flagged = np.zeros(len(y)), np.zeros(len(y), dtype=bool)
        bare_proba, bare_flagged = np.zeros(len(y)), np.zeros(len(y), dtype=bool)
        complete = np.zeros(len(y), dtype=bool) if meta is None else counts_complete(meta)
        partial = {name: (np.zeros(len(y)), np.zeros(len(y), dtype=bool)) for name in ("text only", *PARTIAL_COUNTS)}
        for k, (fit, held) in enumerate(outer.split(np.zeros(len(y)), y, groups)):
            stack, threshold, _ = fit_head(args.task, [docs[i] for i in fit], y[fit],
                                           None if meta is None else meta[fit], tier=args.tier, **override)
            held_meta = None if meta is None or args.text_only else meta[held]
            proba[held] = stack.predict_proba([docs[i] for i in held], held_meta)[:, 1]
            flagged[held] = proba[held] >= threshold
            text, m = summary(f"seed {seed} part {k}", y[held], proba[held], flagged[held])
            parts.append(m)
            print(text, flush=True)
            if bare is not None:
                bare_proba[held] = stack.predict_proba([bare[i] for i in held], held_meta)[:, 1]
                bare_flagged[held] = bare_proba[held] >= threshold
            if args.partial_counts:
                held_complete = held[complete[held]]
                held_docs = [docs[i] for i in held_complete]
                for name, (p, f) in partial.items():
                    known = None if name == "text only" else keep_counts(meta[held_complete], PARTIAL_COUNTS[name])
                    p[held_complete] = stack.predict_proba(held_docs, known)[:, 1]
                    f[held_complete] = p[held_complete] >= threshold
        print(summary(f"seed {seed} pooled", y, proba, flagged)[0], flush=True)
        if args.partial_counts:
            print(summary("all counts", y[complete], proba[complete], flagged[complete])[0])
            for name, (p, f) in partial.items():
                print(summary(name, y[complete], p[complete], f[complete])[0]
                      + f"  mean score {p[complete].mean():.3f} (positive share {y[complete].mean():.3f})", flush=True)
        if bare is not None:
            print(summary("without marks", y, bare_proba, bare_flagged)[0], flush=True)
    ece = np.array([m["ece"] for m in parts])
    floor = np.array([m["floor"] for m in parts])
    print(f"{len(parts)} parts: ECE mean {ece.mean():.4f} (calibrated: {floor[:, 0].mean():.4f}), max {ece.max():.4f}; "
          f"above their own 95th percentile {np.mean(ece > floor[:, 1]):.0%}, above 0.05 {np.mean(ece > 0.05):.0%}")


if __name__ == "__main__":
    main()
