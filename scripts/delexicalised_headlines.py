"""Measure a delexicalised second base model for the ``fast`` sensational head (session 16).

The candidate reads a headline's *shape*: its ``--top-k`` most frequent words (by how many training
titles use them: function words, intensifiers, question words) and its punctuation and placeholders
stay, every other word becomes ``W1``/``W2``/``W3`` by its syllables, and word 1-3-grams of that
sequence (with start and end marks) go through a balanced logistic regression, added to the shipped
stack next to its n-gram model.  The idea: style that does not depend on the story's topic should
carry over to titles of other times and outlets.  ``--top-k none`` is the shipped head.

Two held-out checks, neither reads ``test``; one JSON line per fold seed:

- ``val``: fitted on ViClickbait author ``train`` (identical titles once), threshold chosen on its own
  out-of-fold scores, figures on author ``val`` (513 titles) and out of fold;
- ``outlet``: each of the eight outlets of ``train`` + ``val`` scored by a head fitted on the other
  seven (threshold from that fit), pooled.

    python scripts/delexicalised_headlines.py val --top-k 300 --seeds 0,1,2
    python scripts/delexicalised_headlines.py outlet --top-k none --seeds 0

About 15 s a seed for ``val`` and 2.5 minutes for ``outlet`` on one core.

``--candidate mlp`` measures another second base model the same way (session 17): a one-layer
perceptron (64 units) on the shipped n-gram model's own features, about 270 s a seed::

    python scripts/delexicalised_headlines.py val --candidate mlp --seeds 0
"""
import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.base import BaseEstimator, TransformerMixin, clone  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score, roc_auc_score  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

import misinfo.train as T  # noqa: E402
from misinfo.evaluate import expected_calibration_error  # noqa: E402
from misinfo.text import ALNUM, PLACEHOLDER_DISPLAY  # noqa: E402


class ShapeNgrams(BaseEstimator, TransformerMixin):
    """tf-idf of the 1..n-grams of a headline's shape (frequent words kept, the others ``W<syllables>``)."""

    def __init__(self, top_k=300, n=3, min_df=2):
        self.top_k, self.n, self.min_df = top_k, n, min_df

    def _shape(self, doc):
        keep = lambda t: t in self.keep_ or t in PLACEHOLDER_DISPLAY or not ALNUM.search(t)  # noqa: E731
        return ["^"] + [t if keep(t) else f"W{min(len(t.split()), 3)}" for t in doc.headline_tokens] + ["$"]

    def _analyze(self, doc):
        s = self._shape(doc)
        return [" ".join(s[i:i + k]) for k in range(1, self.n + 1) for i in range(len(s) - k + 1)]

    def fit(self, docs, y=None):
        df = Counter(t for d in docs for t in set(d.headline_tokens) if ALNUM.search(t))
        self.keep_ = frozenset(w for w, _ in df.most_common(self.top_k))
        self.vec_ = TfidfVectorizer(analyzer=self._analyze, min_df=self.min_df, sublinear_tf=True, dtype=np.float32)
        self.vec_.fit(docs)
        return self

    def transform(self, docs):
        return self.vec_.transform(docs)


def head(seed, top_k, candidate="shape"):
    stack = T.make_head("sensational", "fast", seed)
    if top_k is None:
        return stack
    if candidate == "mlp":
        features = clone(stack.base_estimators[0][1].named_steps["features"])
        mlp = ("mlp", Pipeline([("features", features), ("mlp", MLPClassifier(
            hidden_layer_sizes=(64,), alpha=1e-4, max_iter=30, random_state=seed))]))
        return stack.set_params(base_estimators=[*stack.base_estimators, mlp])
    shapes = ("shapes", Pipeline([("shapes", ShapeNgrams(top_k)),
                                  ("linear", LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced"))]))
    return stack.set_params(base_estimators=[*stack.base_estimators, shapes])


def figures(y, proba, flags):
    return {"macro_f1": round(f1_score(y, flags, average="macro"), 4), "roc_auc": round(roc_auc_score(y, proba), 4),
            "ece": round(expected_calibration_error(y, proba), 4)}


def fit_and_score(seed, top_k, X, y, held_out, candidate="shape"):
    """Fit on ``X, y``; the held-out rows' probabilities and flags at the fit's own threshold, and
    the fit's out-of-fold figures."""
    stack = head(seed, top_k, candidate).fit(X, y)
    oof = stack.validation_proba()
    threshold = T.choose_threshold(y, oof, objective=T.OBJECTIVES["sensational"])
    proba = stack.predict_proba(held_out)[:, 1]
    return proba, proba >= threshold, figures(y, oof, oof >= threshold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("protocol", choices=["val", "outlet"])
    parser.add_argument("--top-k", default="300", help="words kept as themselves, or 'none' for the shipped head")
    parser.add_argument("--candidate", choices=["shape", "mlp"], default="shape")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--datasets", default=os.environ.get("DATASETS", "../shared/datasets"))
    args = parser.parse_args()
    top_k = None if args.top_k == "none" else int(args.top_k)
    data = T.read_viclickbait(args.datasets)
    for seed in map(int, args.seeds.split(",")):
        start = time.time()
        out = {"protocol": args.protocol, "candidate": None if top_k is None else args.candidate, "top_k": top_k,
               "seed": seed}
        if args.protocol == "val":
            X, y, _, _ = data.part("train", unique=True)
            V, vy, _, _ = data.part("val")
            proba, flags, oof = fit_and_score(seed, top_k, X, y, V, args.candidate)
            out |= {"out_of_fold": oof, "val": figures(vy, proba, flags)}
        else:
            X, y, _, ids = data.part("train", "val", unique=True)
            outlet = {row["id"]: row["source"] for row in T._viclickbait_rows(Path(args.datasets) / "viclickbait-2025")}
            outlets = np.array([outlet[i] for i in ids])
            proba, flags = np.zeros(len(y)), np.zeros(len(y), dtype=bool)
            for name in sorted(set(outlets)):
                held = outlets == name
                proba[held], flags[held], _ = fit_and_score(
                    seed, top_k, [d for d, h in zip(X, held) if not h], y[~held], [d for d, h in zip(X, held) if h],
                    args.candidate)
            out |= {"pooled": figures(y, proba, flags)}
        out["seconds"] = round(time.time() - start, 1)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
