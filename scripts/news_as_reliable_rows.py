"""Exploratory check (not adopted): reliable news as extra training rows of the misinformation head.

Fits the ``fast`` misinformation head twice: on ReINTEL ``train`` as shipped, and on ReINTEL
``train`` plus ViClickbait-2025's non-clickbait articles of its ``train`` and ``val`` splits (title
+ lead paragraph, label reliable, no counts).  Prints each fit's out-of-fold ROC-AUC and ECE on the
ReINTEL rows, the threshold chosen on them, and how often each flags the non-clickbait articles of
ViClickbait's ``test`` split (which neither fit sees), international news apart.  ReINTEL ``test``
is not read.  About 9 minutes on one core.

    DATASETS=../shared/datasets python scripts/news_as_reliable_rows.py
"""
import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from misinfo.evaluate import expected_calibration_error  # noqa: E402
from misinfo.train import OBJECTIVES, choose_threshold, make_head, read_news_articles, read_reintel  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default=os.environ.get("DATASETS", "../shared/datasets"))
    root = Path(parser.parse_args().datasets)
    news = read_news_articles(root)
    measured = np.asarray(news.split) == "test"
    fit_docs = [d for d, m in zip(news.docs, measured) if not m]
    test_docs = [d for d, m in zip(news.docs, measured) if m]
    international = np.asarray(news.categories)[measured] == "Quốc tế"
    X, y, meta, _ = read_reintel(root).part("train", unique=True)
    print(f"{len(X)} ReINTEL posts, {len(fit_docs)} articles to fit, {len(test_docs)} to measure", flush=True)
    no_counts = np.full((len(fit_docs), meta.shape[1]), np.nan)
    for name, docs, labels, m in (("ReINTEL only", list(X), y, meta),
                                  ("+ news as reliable rows", list(X) + fit_docs,
                                   np.r_[y, np.zeros(len(fit_docs), dtype=int)], np.r_[meta, no_counts])):
        start = time.time()
        head = make_head("misinformation", "fast").fit(docs, labels, meta=m)
        oof = head.validation_proba(meta_known=True)[:len(X)]
        threshold = choose_threshold(y, oof, objective=OBJECTIVES["misinformation"])
        flags = head.predict_proba(test_docs)[:, 1] >= threshold
        print(f"{name}: {time.time() - start:.0f} s; ReINTEL out-of-fold ROC-AUC {roc_auc_score(y, oof):.4f}, "
              f"ECE {expected_calibration_error(y, oof):.4f}; threshold {threshold:.3f}; reliable posts flagged "
              f"{np.mean(oof[y == 0] >= threshold):.3f}; news flagged {flags.mean():.3f} of {len(flags)}, "
              f"international {flags[international].sum()} of {international.sum()}", flush=True)


if __name__ == "__main__":
    main()
