"""How the shipped model reads Vietnamese text unlike its training data: `data/probe_texts.csv`
(197 texts written for this project, in 13 groups: news, official notices, accurate health
advice, hoaxes and scams, shop posts, personal posts, short comments, text mixed with English,
sober and clickbait headlines, bad news and criticism, long articles, a long hoax), scored
through the public API, and five edits of them that change no fact.

    python scripts/probe_texts.py [--model fast|accurate|DIR]

Prints a table per group (how many texts each head flags, median scores) and the effect of each
edit (mean change, flags gained and lost).  A measurement, not a test: nothing here fits or tunes
a model; docs/quality_experiments.md (session 18) and the model card's limitations quote it.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import statistics
from pathlib import Path

import misinfo

ROOT = Path(__file__).resolve().parent.parent
#: Paragraphs of accurate health advice (the probe set's own): what a claim is buried in.
FILLER_GROUP = "health_accurate"


def read_probes(path: Path) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            groups.setdefault(row["group"], []).append(row["text"])
    return groups


def head_flags(score) -> tuple[bool, bool]:
    """(misinformation, sensational): which heads flagged a Score (each flag's reason lines begin
    with its head's name)."""
    return (any(r.startswith("misinformation ") for r in score.reasons),
            any(r.startswith("sensational ") for r in score.reasons))


def group_table(model, groups) -> None:
    print(f"thresholds: {model.thresholds}\n")
    print("| group | texts | flagged | by misinformation | by sensational | median misinformation / sensational |")
    print("|---|---|---|---|---|---|")
    for name, texts in groups.items():
        scores = model.score_many(texts)
        flags = [head_flags(s) for s in scores]
        print(f"| {name} | {len(texts)} | {sum(s.flagged for s in scores)} | {sum(m for m, _ in flags)} | "
              f"{sum(s for _, s in flags)} | {statistics.median(s.misinformation for s in scores):.2f} / "
              f"{statistics.median(s.sensational for s in scores):.2f} |")


def effect(model, label: str, before: list, after: list) -> None:
    """Mean change of each score, and flags lost / gained, between two scorings of the same texts."""
    d_mis = statistics.mean(b.misinformation - a.misinformation for a, b in zip(before, after))
    d_sen = statistics.mean(b.sensational - a.sensational for a, b in zip(before, after))
    lost = sum(a.flagged and not b.flagged for a, b in zip(before, after))
    gained = sum(b.flagged and not a.flagged for a, b in zip(before, after))
    print(f"| {label} | {len(before)} | {d_mis:+.3f} | {d_sen:+.3f} | {lost} | {gained} |")


def edits(model, groups) -> None:
    hoaxes, plain = groups["hoax_scam"], groups["news_factual"] + groups["official"] + groups["personal"]
    filler = "\n\n".join(groups[FILLER_GROUP][:2])
    print("\n| edit | texts | mean Δ misinformation | mean Δ sensational | flags lost | flags gained |")
    print("|---|---|---|---|---|---|")
    alone = model.score_many(hoaxes)
    effect(model, "hoax + two paragraphs of accurate health advice after it", alone,
           model.score_many([h + "\n\n" + filler for h in hoaxes]))
    effect(model, "hoax after two paragraphs of accurate health advice", alone,
           model.score_many([filler + "\n\n" + h for h in hoaxes]))
    effect(model, "hoax + a link on a line of its own (any domain)", alone,
           model.score_many([h + "\nhttps://tin-nong-24h.example/bai-viet" for h in hoaxes]))
    base = model.score_many(plain)
    effect(model, "news, notices, personal posts + one '!' at the end", base,
           model.score_many([t.rstrip(".") + "!" for t in plain]))
    counts = dict(likes=[450] * len(plain), comments=[60] * len(plain), shares=[120] * len(plain))
    morning = model.score_many(plain, published=[datetime.datetime(2025, 11, 5, 10)] * len(plain), **counts)
    effect(model, "news, notices, personal posts with the same counts: 10:00 → 21:00", morning,
           model.score_many(plain, published=[datetime.datetime(2025, 11, 5, 21)] * len(plain), **counts))
    one_line = groups["personal"] + groups["mixed_english"]
    effect(model, "one-line personal posts → the same with '(ảnh minh họa)' on a second line "
           "(judged as a post's opening, not as a headline)", model.score_many(one_line),
           model.score_many([t + "\n(ảnh minh họa)" for t in one_line]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--probes", type=Path, default=ROOT / "data" / "probe_texts.csv")
    args = parser.parse_args()
    model = misinfo.load_model(args.model)
    groups = read_probes(args.probes)
    print(f"model {model.version}, {sum(map(len, groups.values()))} probe texts in {len(groups)} groups\n")
    group_table(model, groups)
    edits(model, groups)


if __name__ == "__main__":
    main()
