"""Should a one-line text of several sentences be read as a post (its first sentence the
headline, judged at the stricter post-opening threshold) rather than as a headline?  Measured on
ReINTEL `train` only: the shipped `fast` heads' sensational scores, the misinformation head's
out-of-fold scores (`fit_head`, about five minutes), the post-opening threshold re-chosen by the
training flag budget, and the share of unreliable training posts flagged at that budget.

    python scripts/one_line_rule.py [--datasets ../shared/datasets]

docs/quality_experiments.md (session 18) quotes it.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np

import misinfo
import misinfo.text as text_module
from misinfo.train import _opening_threshold, fit_head, read_reintel

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_SPLIT = text_module._split_headline
# a sentence end followed by a word that begins with a capital: a new sentence ("TP. HCM" aside)
_BOUNDARY = re.compile(r"[.!?]+(?=\s+[\"'“(]?([^\W\d_]))")


def sentences_rule(k: int):
    """A one-line headline of ``k`` sentences or more is cut after its first sentence."""
    def split(text):
        first, rest = SHIPPED_SPLIT(text)
        if len(first) <= text_module.HEADLINE_MAX_CHARS:
            bounds = [m for m in _BOUNDARY.finditer(first) if m.group(1).isupper()]
            if bounds and len(bounds) >= k - 1:
                cut = bounds[0].end()
                return first[:cut], first[cut:] + ("\n" + rest if rest else "")
        return first, rest
    return split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    args = parser.parse_args()
    reintel = read_reintel(args.datasets)
    rows = reintel.rows("train", unique=True)
    X, y, meta, _ = reintel.part("train", unique=True)
    texts = [reintel.texts[i] for i in rows]
    _, mis_t, mis_val = fit_head("misinformation", X, y, meta, tier="fast")
    model = misinfo.load_model("fast")
    sen_t = model.thresholds["sensational"]
    reliable = y == 0
    print("| rule | posts read as openings | post-opening threshold | reliable flagged | unreliable flagged |")
    print("|---|---|---|---|---|")
    for name, rule in (("shipped (one line ≤ 200 characters = headline)", SHIPPED_SPLIT),
                       ("two sentences or more = post", sentences_rule(2)),
                       ("three sentences or more = post", sentences_rule(3))):
        text_module._split_headline = rule
        try:
            docs = [text_module.analyse(t) for t in texts]
        finally:
            text_module._split_headline = SHIPPED_SPLIT
        sens = np.array([s.sensational for s in model.score_docs(docs)])
        opening = np.array([d.headline_kind == "opening" for d in docs])
        t = _opening_threshold(sens[reliable], np.where(opening[reliable], "opening", "text"),
                               mis_val[reliable] >= mis_t, sen_t)
        flags = (mis_val >= mis_t) | np.where(opening, sens >= t, sens >= sen_t)
        print(f"| {name} | {opening.mean():.1%} | {t:.3f} | {flags[reliable].mean():.1%} | {flags[~reliable].mean():.1%} |")


if __name__ == "__main__":
    main()
