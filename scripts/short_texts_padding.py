"""Measure how a ``fast`` head reads short texts with and without short-text padding (session 15).

Fits one head as the build fits it (``fit_head``: threshold chosen on its own out-of-fold
probabilities) with ``misinfo.train.MIN_WORDS_MISINFORMATION`` set to ``--min-words`` (``none``:
no padding) and prints one JSON line: out-of-fold ROC-AUC (with metadata and text only) and ECE on
the training rows, the threshold, and how many of ``data/short_messages.csv`` the fitted head
flags; for the misinformation head also the share of the non-clickbait articles of ViClickbait's
``test`` split it flags (their labels are not read).  ReINTEL ``test`` is never read.  About four
minutes (misinformation) or twenty seconds (sensational) on one core.

    python scripts/short_texts_padding.py misinformation --min-words 8 --seed 0

For the sensational head ``--min-words`` pads its word and character n-grams alike (the shipped
head pads neither).
"""
import argparse
import csv
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score, roc_auc_score  # noqa: E402

import misinfo.train as T  # noqa: E402
from misinfo.estimators import CompactTfidfVectorizer  # noqa: E402
from misinfo.evaluate import expected_calibration_error  # noqa: E402
from misinfo.text import analyse  # noqa: E402

SHORT = Path(__file__).resolve().parent.parent / "data" / "short_messages.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("task", choices=T.TASKS)
    parser.add_argument("--min-words", default="8", help="an int, or 'none' for no padding")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--datasets", default=os.environ.get("DATASETS", "../shared/datasets"))
    args = parser.parse_args()
    k = None if args.min_words == "none" else int(args.min_words)
    T.MIN_WORDS_MISINFORMATION = k
    with open(SHORT, encoding="utf-8", newline="") as f:
        short = [analyse(row["text"]) for row in csv.DictReader(f)]
    start, out = time.time(), {"task": args.task, "min_words": k, "seed": args.seed}
    if args.task == "misinformation":
        X, y, meta, _ = T.read_reintel(args.datasets).part("train", unique=True)
        head, threshold, oof = T.fit_head(args.task, X, y, meta=meta, seed=args.seed)
        news = T.read_news_articles(args.datasets)
        measured = np.asarray(news.split) == "test"
        articles = head.predict_proba([d for d, m in zip(news.docs, measured) if m])[:, 1]
        out |= {"roc_auc_metadata": roc_auc_score(y, oof),
                "roc_auc_text": roc_auc_score(y, head.validation_proba(meta_known=False)),
                "news_flagged": float(np.mean(articles >= threshold))}
    else:
        X, y, _, _ = T.read_viclickbait(args.datasets).part("train", "val", unique=True)
        head = T.make_head(args.task, "fast", args.seed)
        if k is not None:
            for _, block in head.base_estimators[0][1].named_steps["features"].transformer_list:
                if isinstance(block, CompactTfidfVectorizer):  # words and characters
                    block.set_params(min_words=k)
        head.fit(X, y)
        oof = head.validation_proba()
        threshold = T.choose_threshold(y, oof, objective=T.OBJECTIVES[args.task])
        out |= {"macro_f1": f1_score(y, oof >= threshold, average="macro"), "roc_auc": roc_auc_score(y, oof)}
    flagged = head.predict_proba(short)[:, 1] >= threshold
    out |= {"ece": expected_calibration_error(y, oof), "threshold": threshold,
            "short_messages_flagged": int(flagged.sum()), "of": len(short), "seconds": round(time.time() - start)}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
