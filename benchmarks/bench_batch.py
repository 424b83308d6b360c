"""Throughput and memory of `misinfo score` on realistic CSV exports (issue 4's bars).

Builds a CSV of N rows by sampling and recombining ReINTEL posts and ViClickbait titles and leads
from ../shared/datasets (read in place, never copied into the repository; the generated files go
to a temporary directory), then measures:

* underthesea ``word_tokenize`` alone on the same texts (rows/s, in this process);
* ``misinfo score --jobs 1`` and ``--jobs 2`` (rows/s, wall clock of the whole command, and
  excluding the model-loading start-up measured on a header-only file);
* the same with 30% of the rows reposts of a recent row (the dedup speed-up);
* peak RSS and PSS of the whole process tree (parent + workers) and the largest process's RSS, for
  the N-row file and a file ``--rss-scale`` times larger (flat memory = streaming works).

Usage (from the repository root)::

    python benchmarks/bench_batch.py                 # 100,000 rows (~100 MB) and 10x for RSS: slow
    python benchmarks/bench_batch.py --rows 2000 --rss-scale 2   # a quick check

Bars: jobs 1 >= 85% of word_tokenize alone; jobs 2 >= 1.7x jobs 1; peak RSS < 600 MB and flat.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"
HEADER = ["id", "page", "title", "text", "likes", "comments", "shares", "time"]
_SENTENCES = re.compile(r"(?<=[.!?…])\s+")


def load_pool(datasets: Path) -> tuple[list[dict], list[str], list[str]]:
    """ReINTEL posts (with metadata), ViClickbait titles and leads."""
    with open(datasets / "reintel-vlsp2020" / "public_train.decoded-utf8.csv", encoding="utf-8", newline="") as f:
        posts = [r for r in csv.DictReader(f) if r["post_message"].strip()]
    with open(datasets / "viclickbait-2025" / "clickbait_dataset_vietnamese.csv", encoding="utf-8", newline="") as f:
        articles = list(csv.DictReader(f))
    titles = [a["title"] for a in articles if a["title"].strip()]
    leads = [a["lead_paragraph"] for a in articles if a["lead_paragraph"].strip()]
    return posts, titles, leads


def make_row(i: int, rng: random.Random, posts, titles, leads) -> list[str]:
    """A new, realistic row: a recombined post, or an article (title + lead), with metadata."""
    post = rng.choice(posts)
    if rng.random() < 0.3:  # an article from a news page
        title, text = rng.choice(titles), rng.choice(leads)
        if rng.random() < 0.5:
            text += " " + " ".join(_SENTENCES.split(rng.choice(leads))[:2])
    else:  # a social post: the start of one post and the end of another
        a = _SENTENCES.split(post["post_message"])
        b = _SENTENCES.split(rng.choice(posts)["post_message"])
        title = ""
        text = " ".join(a[: rng.randint(1, max(1, len(a)))] + b[rng.randint(0, len(b) - 1):])
    ts = (post["timestamp_post"] or "").strip()
    if not ts.isdigit():
        ts = ""
    elif rng.random() < 0.5:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S+07:00", time.gmtime(int(float(ts)) + 7 * 3600))
    return [str(i), post["user_name"][:12], title, text, post["num_like_post"], post["num_comment_post"],
            post["num_share_post"], ts]


def build_csv(path: Path, rows: int, seed: int, pool, duplicates: float = 0.0) -> list[str]:
    """Write the CSV; ``duplicates`` of the rows repost one of the last 2,000 rows. Returns the texts."""
    rng = random.Random(seed)
    recent: list[list[str]] = []
    texts = []
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(rows):
            if recent and rng.random() < duplicates:
                row = [str(i), *rng.choice(recent)[1:]]
            else:
                row = make_row(i, rng, *pool)
            recent.append(row)
            if len(recent) > 2000:
                recent.pop(0)
            writer.writerow(row)
            texts.append(f"{row[2]}\n{row[3]}" if row[2] else row[3])  # what the scorer tokenises
    return texts


def build_bulky_csv(path: Path, megabytes: int, seed: int, pool) -> int:
    """A file of ``megabytes`` whose rows carry an 8 KB ``raw`` column (a crawler's JSON, say) and,
    one row in 50, a realistic post; the other rows have an empty text.  Tokenising a gigabyte of
    real posts takes hours here, so this file measures what streaming must keep flat: the memory
    of reading, chunking, scoring and writing as the input grows.  Returns the row count."""
    rng = random.Random(seed)
    filler = ("x" * 79 + " ") * 100
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*HEADER, "raw"])
        while f.tell() < megabytes * 1_000_000:
            row = make_row(rows, rng, *pool)
            if rows % 50:
                row[2] = row[3] = ""
            writer.writerow([*row, filler])
            rows += 1
    return rows


def tokenize_rate(texts: list[str]) -> float:
    from underthesea import word_tokenize

    word_tokenize("khởi động")
    start = time.perf_counter()
    for text in texts:
        word_tokenize(text)
    return len(texts) / (time.perf_counter() - start)


def _tree_memory(pid: int) -> tuple[int, int, int]:
    """(sum of RSS, largest RSS, sum of PSS) in bytes of a process and its descendants (Linux /proc).

    RSS counts a page shared by several processes (a library, the interpreter) once in each of
    them, so its sum over a tree overstates the memory the job takes; PSS divides each shared
    page between its sharers, so its sum is the job's real footprint.  Both are reported."""
    rss, pss, todo = [], 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            rss.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024)
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
            pss += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1)) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError, ValueError):
            continue
    return (sum(rss), max(rss), pss) if rss else (0, 0, 0)


def run_score(path: Path, jobs: int, extra=()) -> dict:
    """Run `misinfo score` on ``path``; wall time and peak RSS of its process tree."""
    out = path.with_suffix(".scored.csv")
    cmd = [sys.executable, "-m", "misinfo", "score", str(path), "-o", str(out), "--text-column", "text",
           "--title-column", "title", "--likes-column", "likes", "--comments-column", "comments",
           "--shares-column", "shares", "--time-column", "time", "--jobs", str(jobs), "--quiet", *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=path.parent)  # not the source tree: the installed package runs
    peak = [0, 0, 0]

    def watch():
        while proc.poll() is None:
            peak[:] = map(max, peak, _tree_memory(proc.pid))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    code = proc.wait()
    seconds = time.perf_counter() - start
    watcher.join()
    if code not in (0, 3):
        raise SystemExit(f"misinfo score failed with exit status {code}: {' '.join(cmd)}")
    out.unlink(missing_ok=True)
    return {"seconds": seconds, "rss_total": peak[0], "rss_max": peak[1], "pss_total": peak[2]}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the main CSV (default 100,000)")
    parser.add_argument("--rss-scale", type=int, default=10, help="the RSS check also scores a file this many times larger (0: none)")
    parser.add_argument("--tokenize-rows", type=int, default=20_000, help="rows timed for word_tokenize alone")
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--workdir", type=Path, default=None, help="where to write the generated CSVs (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bulky-mb", type=int, nargs=2, default=None, metavar=("SMALL", "LARGE"),
                        help="also measure peak RSS on two bulky files of these sizes (e.g. 100 1000)")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="passed to misinfo score (default: its own); an input of one chunk runs in-process")
    parser.add_argument("--memory-only", action="store_true",
                        help="only the memory runs: --jobs 2 on the N-row file and the larger one (no speed figures)")
    args = parser.parse_args(argv)
    extra = ["--chunk-size", str(args.chunk_size)] if args.chunk_size else []

    pool = load_pool(args.datasets)
    workdir = tempfile.TemporaryDirectory(prefix="misinfo-bench-", dir=args.workdir)
    tmp = Path(workdir.name)
    main_csv, dup_csv, big_csv, empty_csv = (tmp / n for n in ("rows.csv", "dup30.csv", "big.csv", "empty.csv"))
    texts = build_csv(main_csv, args.rows, args.seed, pool)
    if not args.memory_only:
        build_csv(dup_csv, args.rows, args.seed, pool, duplicates=0.3)
    empty_csv.write_text(",".join(HEADER) + "\n", encoding="utf-8")
    mb = main_csv.stat().st_size / 1e6
    print(f"built {args.rows:,} rows ({mb:.1f} MB) in {tmp}", file=sys.stderr)

    print(f"python {sys.executable}; scikit-learn imports pandas in every worker when it is installed: "
          f"{'yes' if importlib.util.find_spec('pandas') else 'no'}", file=sys.stderr)
    sample = random.Random(args.seed).sample(texts, min(len(texts), args.tokenize_rows))
    startup = run_score(empty_csv, 1)["seconds"]
    results, toks = {}, []
    runs = [("jobs 1", main_csv, 1), ("jobs 2", main_csv, 2), ("jobs 1, 30% dup", dup_csv, 1), ("jobs 2, 30% dup", dup_csv, 2)]
    for name, path, jobs in runs[1:2] if args.memory_only else runs:
        if jobs == 1 and not toks:  # the baseline just before and just after the run it is compared with
            toks.append(tokenize_rate(sample))
        print(f"scoring: {name} ...", file=sys.stderr)
        results[name] = run_score(path, jobs, extra)
        if len(toks) == 1:
            toks.append(tokenize_rate(sample))
    tok = sum(toks) / len(toks) if toks else float("nan")
    big_rows = args.rows * args.rss_scale
    if big_rows:
        build_csv(big_csv, big_rows, args.seed + 1, pool)
        big_mb = big_csv.stat().st_size / 1e6
        print(f"scoring: {big_rows:,} rows ({big_mb:.0f} MB), jobs 2 ...", file=sys.stderr)
        results["big"] = run_score(big_csv, 2, extra)

    def rate(r, rows=args.rows, minus_startup=False):
        return rows / (r["seconds"] - (startup if minus_startup else 0))

    if toks:
        print(f"\nword_tokenize alone ({len(sample):,} of the same texts): {toks[0]:,.0f} rows/s before and "
              f"{toks[1]:,.0f} after the jobs 1 run, mean {tok:,.0f};"
              f" `misinfo score` start-up (model load): {startup:.1f} s\n")
    print(f"{'run':<22}{'rows':>10}{'MB':>8}{'rows/s':>9}{'w/o start':>11}{'vs tokenize':>13}"
          f"{'RSS tree':>10}{'PSS tree':>10}{'RSS max':>9}")
    for name, r in results.items():
        rows, size = (big_rows, big_mb) if name == "big" else (args.rows, mb)
        print(f"{name if name != 'big' else 'jobs 2, large input':<22}{rows:>10,}{size:>8.0f}{rate(r, rows):>9,.0f}"
              f"{rate(r, rows, True):>11,.0f}{rate(r, rows, True) / tok:>12.0%}"
              f"{r['rss_total'] / 2**20:>9.0f}M{r['pss_total'] / 2**20:>9.0f}M{r['rss_max'] / 2**20:>8.0f}M")
    j2 = results["jobs 2"]
    if not args.memory_only:
        j1 = results["jobs 1"]
        print(f"\njobs 1 / word_tokenize: {rate(j1, minus_startup=True) / tok:.0%} (bar >= 85%)"
              f"   jobs 2 / jobs 1: {rate(j2, minus_startup=True) / rate(j1, minus_startup=True):.2f}x (bar >= 1.7x)")
        print(f"30% duplicates speed-up: jobs 1 {rate(results['jobs 1, 30% dup']) / rate(j1):.2f}x, "
              f"jobs 2 {rate(results['jobs 2, 30% dup']) / rate(j2):.2f}x (ideal 1/0.7 = 1.43x)")
    def peak(r, size):
        return f"RSS {r['rss_total'] / 2**20:.0f} MB (PSS {r['pss_total'] / 2**20:.0f}) for {size:.0f} MB"

    compared = f" vs {peak(results['big'], big_mb)}" if big_rows else ""
    print(f"peak memory of the jobs 2 tree: {peak(j2, mb)}{compared} (bar < 600 MB, flat)")
    if args.bulky_mb:
        print("\nbulky files (8 KB raw column per row, 1 row in 50 with text):")
        for size in args.bulky_mb:
            bulky = tmp / f"bulky{size}.csv"
            n = build_bulky_csv(bulky, size, args.seed + 2, pool)
            for jobs in (1, 2):
                r = run_score(bulky, jobs, extra)
                print(f"  {size:>6} MB {n:>9,} rows  jobs {jobs}: {r['seconds']:7.1f} s  RSS tree "
                      f"{r['rss_total'] / 2**20:5.0f} MB  PSS tree {r['pss_total'] / 2**20:5.0f} MB  "
                      f"largest process {r['rss_max'] / 2**20:5.0f} MB")
            bulky.unlink()
    workdir.cleanup()


if __name__ == "__main__":
    main()
