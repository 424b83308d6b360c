"""Core scorer figures against the bars of issue 3: quality on the fixed test splits (through the
public API), cold start, throughput relative to underthesea ``word_tokenize`` alone, artifact size.

    python benchmarks/bench_core.py [--datasets ../shared/datasets] [--tier fast --tier accurate] [--repeats 3]
                                    [--cold-python /tmp/plain-venv/bin/python]

Prints a table; medians of ``--repeats`` runs, each ratio measured within one run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def cold_start(repeats: int, python: str = sys.executable) -> tuple[float, float]:
    code = ("import time; t = time.perf_counter(); import misinfo; "
            "misinfo.score('Sự thật gây sốc phía sau bức ảnh khiến dân mạng xôn xao!'); "
            "print(time.perf_counter() - t)")
    inside, wall = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, cwd="/")
        wall.append(time.perf_counter() - t)
        inside.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(inside), statistics.median(wall)


def quality(model, datasets: Path) -> dict:
    from misinfo.evaluate import expected_calibration_error as ece
    from misinfo.text import without_marks
    from misinfo.train import _count_cell, read_viclickbait
    from sklearn.metrics import f1_score, roc_auc_score
    import csv

    def rows(path):
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    split = {r["id"]: r["split"] for r in rows(datasets / "reintel-vlsp2020/split.csv")}
    posts = [r for r in rows(datasets / "reintel-vlsp2020/public_train.decoded-utf8.csv") if split[r["id"]] == "test"]
    y = np.array([int(r["label"]) for r in posts])
    scores = model.score_many(
        [r["post_message"] for r in posts],
        likes=[_count_cell(r["num_like_post"]) for r in posts],
        comments=[_count_cell(r["num_comment_post"]) for r in posts],
        shares=[_count_cell(r["num_share_post"]) for r in posts],
        published=[_count_cell(r["timestamp_post"]) for r in posts])
    mis = np.array([s.misinformation for s in scores])
    flagged = np.array([s.flagged for s in scores])
    text_only = np.array([s.misinformation for s in model.score_many([r["post_message"] for r in posts])])
    clickbait = read_viclickbait(datasets)  # titles as training reads them (aggregator suffixes cut)
    test = clickbait.rows("test")
    cy = clickbait.y[test]
    sen = np.array([s.sensational for s in model.score_many([clickbait.texts[i] for i in test])])
    # the same texts typed without diacritics (as the card's limitations quote)
    bare_mis = np.array([s.misinformation for s in model.score_many([without_marks(r["post_message"]) for r in posts])])
    bare_sen = np.array([s.sensational for s in model.score_many([without_marks(clickbait.texts[i]) for i in test])])
    with open(ROOT / "data/guard_critical_news.csv", encoding="utf-8", newline="") as f:
        guard = [r["text"] for r in csv.DictReader(f)]
    return {
        "misinformation ROC-AUC (metadata)": roc_auc_score(y, mis),
        "misinformation ROC-AUC (text only)": roc_auc_score(y, text_only),
        "misinformation ECE": ece(y, mis),
        "sensational macro-F1 @threshold": f1_score(cy, sen >= model.thresholds["sensational"], average="macro"),
        "sensational ROC-AUC": roc_auc_score(cy, sen),
        "sensational ECE": ece(cy, sen),
        "reliable posts flagged": flagged[y == 0].mean(),
        "guard set flagged": np.mean([s.flagged for s in model.score_many(guard)]),
        "without diacritics: misinformation ROC-AUC (text only)": roc_auc_score(y, bare_mis),
        "without diacritics: sensational ROC-AUC": roc_auc_score(cy, bare_sen),
    }


def throughput(model, texts, repeats: int) -> dict:
    from underthesea import word_tokenize

    from misinfo.features import _EMBEDDINGS

    chars = sum(map(len, texts))
    base, ours = [], []
    for _ in range(repeats):  # interleaved, so both see the same machine load
        t = time.perf_counter()
        for text in texts:
            word_tokenize(text)
        base.append(time.perf_counter() - t)
        _EMBEDDINGS.clear()  # every run embeds its texts afresh (accurate tier)
        t = time.perf_counter()
        model.score_many(texts)
        ours.append(time.perf_counter() - t)
    ratios = [b / o for b, o in zip(base, ours)]
    return {"texts": len(texts), "chars": chars,
            "word_tokenize texts/s": len(texts) / statistics.median(base),
            "word_tokenize chars/s": chars / statistics.median(base),
            "score_many texts/s": len(texts) / statistics.median(ours),
            "score_many / word_tokenize (median of per-run ratios)": statistics.median(ratios)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--tier", action="append", choices=("fast", "accurate"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--card", action="store_true", help="write the speed figures into models/MODEL_CARD.md")
    parser.add_argument("--cold-python", help="also time the cold start with this interpreter: a virtualenv with "
                        "only `pip install .` (with pandas installed, as in the test extras, scikit-learn imports it)")
    args = parser.parse_args()
    import misinfo
    from misinfo.artifacts import model_dir

    report = {}
    inside, wall = cold_start(max(args.repeats, 5))
    report["cold start"] = {"import misinfo + first score (s, median)": inside, "incl. interpreter start (s)": wall}
    if args.cold_python:
        inside, wall = cold_start(max(args.repeats, 5), args.cold_python)
        report["cold start, plain install"] = {"python": args.cold_python,
                                               "import misinfo + first score (s, median)": inside,
                                               "incl. interpreter start (s)": wall}
    sizes = {tier: sum(p.stat().st_size for p in model_dir(tier).iterdir() if p.is_file()) / 1e6
             for tier in ("fast", "accurate")}
    card = model_dir("fast").parent / "MODEL_CARD.md"
    report["artifacts (MB)"] = {**sizes, "total": sum(sizes.values()) + card.stat().st_size / 1e6}
    import csv
    with open(args.datasets / "reintel-vlsp2020/public_train.decoded-utf8.csv", encoding="utf-8", newline="") as f:
        posts = list(dict.fromkeys(r["post_message"] for r in csv.DictReader(f) if r["post_message"].strip()))
    with open(args.datasets / "viclickbait-2025/clickbait_dataset_vietnamese.csv", encoding="utf-8", newline="") as f:
        heads = list(dict.fromkeys(r["title"] for r in csv.DictReader(f)))
    texts = posts[:1500] + heads[:1000]  # distinct texts: no cache helps either side
    fewer = posts[:240] + heads[:160]  # the accurate tier's encoder is slow: the same mix, fewer
    for tier in args.tier or ["fast"]:
        model = misinfo.load_model(tier)
        model.score_many(texts[:20])  # warm up both sides
        report[f"{tier}: quality (test splits, public API)"] = quality(model, args.datasets)
        report[f"{tier}: throughput"] = throughput(model, texts if tier == "fast" else fewer, args.repeats)
    for section, figures in report.items():
        print(f"\n## {section}")
        for key, value in figures.items():
            print(f"  {key:<58} {value:,.4f}" if isinstance(value, float) else f"  {key:<58} {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.card:
        write_card_speed(report)


def write_card_speed(report: dict) -> None:
    from misinfo.train import SPEED_END, SPEED_START

    card = ROOT / "models" / "MODEL_CARD.md"
    lines = [SPEED_START, "", "Measured by `python benchmarks/bench_core.py` on this project's 2-core machine "
             "(medians; ratios within one run):", ""]
    cold = report["cold start"]
    lines.append(f"- `import misinfo` + first `score`: {cold['import misinfo + first score (s, median)']:.2f} s "
                 f"({cold['incl. interpreter start (s)']:.2f} s with interpreter start)")
    if "cold start, plain install" in report:
        plain = report["cold start, plain install"]
        lines[-1] += (" with the test extras installed; "
                      f"{plain['import misinfo + first score (s, median)']:.2f} s "
                      f"({plain['incl. interpreter start (s)']:.2f} s) after `pip install .` alone")
    lines.append(f"- shipped artifacts: {report['artifacts (MB)']['total']:.1f} MB in total")
    for key, figures in report.items():
        if key.endswith("throughput"):
            tier = key.split(":")[0]
            lines.append(f"- `{tier}` on one core: {figures['score_many texts/s']:.1f} texts/s "
                         f"(posts and headlines, {figures['chars'] / figures['texts']:.0f} characters on average); "
                         f"underthesea `word_tokenize` alone: {figures['word_tokenize texts/s']:.1f} texts/s "
                         f"({figures['word_tokenize chars/s']:,.0f} characters/s); ratio "
                         f"{figures['score_many / word_tokenize (median of per-run ratios)']:.2f}")
    lines += ["", SPEED_END]
    text = card.read_text(encoding="utf-8")
    start, end = text.index(SPEED_START), text.index(SPEED_END) + len(SPEED_END)
    card.write_text(text[:start] + "\n".join(lines) + text[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
