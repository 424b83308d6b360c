"""Throughput and memory of scoring on Dask (issue 6's bars) against single-machine `misinfo score`.

Builds N realistic, distinct posts by sampling and recombining ReINTEL posts and ViClickbait
titles and leads from ../shared/datasets (read in place, never copied into the repository; the
generated CSV files go to a temporary directory), as one CSV (for the single machine) and as P
CSV files (the Dask partitions), then measures:

* single-machine ``misinfo score --jobs 1`` on the one file (rows/s, minus the start-up of the
  command measured on a header-only file);
* :func:`misinfo.dask.score_files` on a LocalCluster of 1 and of 2 single-thread worker
  processes (rows/s, after the workers have loaded the model);
* the peak RSS of every worker process (``ru_maxrss``), for P and for 4P partitions (flat
  memory: a worker holds one partition at a time, streamed).

Usage (from the repository root; the machine's cores should be otherwise idle)::

    OMP_NUM_THREADS=1 python benchmarks/bench_dask.py                # 20,000 posts
    OMP_NUM_THREADS=1 python benchmarks/bench_dask.py --rows 3000    # a quick check

Bars: 2 workers >= 1.8x 1 worker; 1 worker >= 85% of `--jobs 1`; peak RSS per worker < 600 MB
and flat as partitions grow.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import DATASETS, HEADER, load_pool, make_row, run_score  # noqa: E402

COLUMNS = dict(text_column="text", title_column="title", likes_column="likes", comments_column="comments",
               shares_column="shares", time_column="time")


def build(folder: Path, rows: int, files: int, seed: int, pool) -> tuple[Path, list[Path]]:
    """The same ``rows`` distinct rows as one CSV and split into ``files`` CSVs."""
    rng = random.Random(seed)
    data, seen = [], set()
    while len(data) < rows:
        row = make_row(len(data), rng, *pool)
        if (row[2], row[3]) not in seen:  # distinct posts: no reuse shortcut for anyone
            seen.add((row[2], row[3]))
            data.append(row)
    whole = folder / "all.csv"
    _write(whole, data)
    return whole, split(folder, data, files)


def split(folder: Path, data: list, files: int) -> list[Path]:
    part_dir = folder / f"in{files}"
    part_dir.mkdir()
    size = -(-len(data) // files)
    paths = []
    for i in range(files):
        paths.append(part_dir / f"posts{i:03d}.csv")
        _write(paths[-1], data[i * size:(i + 1) * size])
    return paths


def _write(path: Path, rows: list) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _peak_rss() -> int:
    """Runs on a worker: the peak resident set size of its process, in bytes (Linux: KB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_dask(pattern: str, workers: int, out: Path, warmup: Path) -> dict:
    """Score on a fresh LocalCluster; the model is loaded by a warm-up run first (not timed)."""
    from distributed import Client, LocalCluster

    from misinfo.dask import score_files

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        score_files(str(warmup), out.with_name(out.name + "-warmup"), scheduler=client, **COLUMNS)
        start = time.perf_counter()
        result = score_files(pattern, out, scheduler=client, **COLUMNS)
        seconds = time.perf_counter() - start
        rss = client.run(_peak_rss)
    return {"seconds": seconds, "rows": result.rows, "rss": sorted(rss.values())}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="distinct posts (default 20,000)")
    parser.add_argument("--files", type=int, default=8, help="partitions (input files); memory is also measured at 4x")
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    pool = load_pool(args.datasets)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="misinfo-bench-dask-") as name:
        tmp = Path(name)
        whole, _ = build(tmp, args.rows, args.files, args.seed, pool)
        with open(whole, encoding="utf-8", newline="") as f:
            data = list(csv.reader(f))[1:]
        split(tmp, data, args.files * 4)
        empty = tmp / "empty.csv"
        empty.write_text(",".join(HEADER) + "\n", encoding="utf-8")
        warmup = tmp / "warmup.csv"
        _write(warmup, data[:5])
        print(f"built {args.rows:,} distinct posts ({whole.stat().st_size / 1e6:.1f} MB) in {tmp}", file=sys.stderr)

        startup = run_score(empty, 1)["seconds"]
        print("scoring: misinfo score --jobs 1 ...", file=sys.stderr)
        single = run_score(whole, 1)
        single_rate = args.rows / (single["seconds"] - startup)
        runs = {}
        for label, workers, files in ((f"dask, 1 worker, {args.files} parts", 1, args.files),
                                      (f"dask, 2 workers, {args.files} parts", 2, args.files),
                                      (f"dask, 2 workers, {args.files * 4} parts", 2, args.files * 4)):
            print(f"scoring: {label} ...", file=sys.stderr)
            runs[label] = run_dask(str(tmp / f"in{files}" / "*.csv"), workers, tmp / f"out-{workers}-{files}", warmup)
            assert runs[label]["rows"] == args.rows, runs[label]

    load_after = os.getloadavg()[0]
    print(f"\n{args.rows:,} distinct posts; `misinfo score` start-up (model load) {startup:.1f} s, excluded; "
          f"load average {load_before:.1f} before, {load_after:.1f} after on {os.cpu_count()} cores "
          "(other work on the cores invalidates the speed-up)\n")
    print(f"{'run':<30}{'rows/s':>9}{'vs --jobs 1':>13}{'peak RSS per worker':>22}")
    print(f"{'misinfo score --jobs 1':<30}{single_rate:>9,.0f}{1:>12.0%}{single['rss_max'] / 2**20:>20.0f} M")
    rates = {}
    for label, r in runs.items():
        rates[label] = r["rows"] / r["seconds"]
        rss = " / ".join(f"{v / 2**20:.0f}" for v in r["rss"])
        print(f"{label:<30}{rates[label]:>9,.0f}{rates[label] / single_rate:>12.0%}{rss:>20} M")
    one, two, many = (rates[k] for k in runs)
    peak = [max(r["rss"]) / 2**20 for r in runs.values()]
    print(f"\n2 workers / 1 worker: {two / one:.2f}x (bar >= 1.8x)"
          f"   1 worker / --jobs 1: {one / single_rate:.0%} (bar >= 85%)")
    print(f"peak RSS per worker: {max(peak):.0f} MB (bar < 600 MB); {args.files} parts {peak[1]:.0f} MB vs "
          f"{args.files * 4} parts {peak[2]:.0f} MB (flat)")
    print(f"per core: {one:,.0f} posts/s -> cores for 100 million posts a day: "
          f"100e6 / 86,400 s / {one:,.0f} = {100e6 / 86_400 / one:.1f} (before headroom)")


if __name__ == "__main__":
    main()
