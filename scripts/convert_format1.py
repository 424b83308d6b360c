"""Convert format-1 model directories (joblib pickles of fitted scikit-learn stacks) to format 2
(compiled heads, :mod:`misinfo.compiled`), checking that the converted heads score as the pickles did.

    python scripts/convert_format1.py misinfo/models/fast misinfo/models/accurate \\
        [--datasets ../shared/datasets]

Each pickle is opened only after its sha256 matches metadata.json (opening one runs code from it).
The comparison reads the bundled sample, the over-flagging guard set and, with ``--datasets``,
every ReINTEL post (with its metadata and without) and every ViClickbait title and news article;
the directory is rewritten only if no probability differs by more than ``--tolerance`` and no
flag at the model's thresholds changes.  Everything else in metadata.json (training data,
thresholds, test metrics, library versions of the build) is kept; ``converted_from`` records the
old files' sha256.  Needs the scikit-learn release the pickles were built with (misinfo[test]).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

import misinfo.estimators
import misinfo.features
from misinfo.artifacts import HEAD_SUFFIX, HEADS, sha256
from misinfo.compiled import compile_head, load_head, save_head
from misinfo.text import analyse

DATA = Path(__file__).resolve().parent.parent / "data"


def _unpickle(path: Path):
    import joblib

    # format-1 pickles name the scikit-learn transformers where they lived then
    for name in ("CompactTfidfVectorizer", "StyleFeatures", "MetadataFeatures", "SentenceEmbedding"):
        setattr(misinfo.features, name, getattr(misinfo.estimators, name))
    try:
        return joblib.load(path)
    finally:
        for name in ("CompactTfidfVectorizer", "StyleFeatures", "MetadataFeatures", "SentenceEmbedding"):
            delattr(misinfo.features, name)


def _check_sets(datasets):
    """(name, docs, metadata or None, head) to compare on."""
    with open(DATA / "sample_posts.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    sample = [analyse(r["text"], r["title"] or None) for r in rows]
    with open(DATA / "guard_critical_news.csv", encoding="utf-8", newline="") as f:
        guard = [analyse(r["text"]) for r in csv.DictReader(f)]
    sets = [("sample", sample, None, h) for h in HEADS] + [("guard set", guard, None, h) for h in HEADS]
    if datasets:
        from misinfo.train import read_news_articles, read_reintel, read_viclickbait

        reintel, clickbait, news = read_reintel(datasets), read_viclickbait(datasets), read_news_articles(datasets)
        sets += [("ReINTEL", reintel.docs, reintel.meta, "misinformation"),
                 ("ReINTEL text", reintel.docs, None, "misinformation"),
                 ("ViClickbait titles", clickbait.docs, None, "sensational"),
                 ("news articles", news.docs, None, "misinformation"),
                 ("ReINTEL", reintel.docs, None, "sensational")]  # posts as that head reads them
    return sets


def convert(model_dir: Path, sets, tolerance: float, rows: int | None = None) -> None:
    meta = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
    if meta.get("format") != 1:
        sys.exit(f"{model_dir}: format {meta.get('format')!r}, not 1; nothing to convert")
    stacks, heads, old = {}, {}, {}
    for name in HEADS:
        fname = meta["heads"][name]["file"]
        if sha256(model_dir / fname) != meta["files"][fname]:
            sys.exit(f"{model_dir / fname} does not match its sha256 in metadata.json; not opening it")
        old[fname] = meta["files"][fname]
        stacks[name] = _unpickle(model_dir / fname)
        heads[name] = compile_head(stacks[name])
    limits, largest = meta["thresholds"], 0.0
    for set_name, docs, set_meta, name in sets:
        keep = [i for i, d in enumerate(docs[:rows]) if not d.empty]
        live = [docs[i] for i in keep]
        m = None if set_meta is None else np.asarray(set_meta)[keep]
        want = stacks[name].predict_proba(live, m)[:, 1]
        got = heads[name].predict_proba(live, m)[:, 1]
        if name == "sensational":
            limit = np.array([limits["sensational_opening" if d.headline_kind == "opening" else "sensational"]
                              for d in live])
        else:
            limit = limits["misinformation"]
        diff = float(np.max(np.abs(want - got))) if len(live) else 0.0
        largest = max(largest, diff)
        flips = int(np.sum((np.round(want, 6) >= limit) != (np.round(got, 6) >= limit)))
        print(f"{model_dir.name} {name:>14} on {set_name:<18} {len(live):>6} docs: "
              f"max |difference| {diff:.2e}, flags changed {flips}")
        if diff > tolerance or flips:
            sys.exit(f"{model_dir}: the compiled {name} head does not score as the pickle; not converted")
    files = {}
    for name in HEADS:
        fname = f"{name}{HEAD_SUFFIX}"
        save_head(heads[name], model_dir / fname)
        if load_head(model_dir / fname).predict_proba(sets[0][1])[:, 1].tolist() != \
                heads[name].predict_proba(sets[0][1])[:, 1].tolist():
            sys.exit(f"{model_dir / fname} does not read back as written")
        files[fname] = sha256(model_dir / fname)
        meta["heads"][name]["file"] = fname
    for fname in old:
        (model_dir / fname).unlink()
    meta["format"] = 2
    meta["files"] = files
    meta["converted_from"] = {"format": 1, "files": old, "by": "scripts/convert_format1.py",
                              "largest_probability_difference": largest}
    (model_dir / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{model_dir}: converted to format 2 ({', '.join(files)})")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dirs", nargs="+", type=Path)
    parser.add_argument("--datasets", type=Path, help="also compare on the labelled datasets (../shared/datasets)")
    parser.add_argument("--rows", type=int, help="compare on the first ROWS of each set only (the accurate "
                        "tier embeds ~5 posts/s)")
    parser.add_argument("--tolerance", type=float, default=1e-9, help="largest probability difference allowed")
    args = parser.parse_args(argv)
    sets = _check_sets(args.datasets)
    for model_dir in args.model_dirs:
        convert(model_dir, sets, args.tolerance, args.rows)


if __name__ == "__main__":
    main()
