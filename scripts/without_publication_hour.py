"""What the publication hour and weekday add to the `fast` misinformation head: out-of-fold
ROC-AUC and ECE on ReINTEL `train` (the `test` split is not read), fitted as shipped and with the
hour and weekday columns of the metadata held constant (so the final tree cannot use them).

    python scripts/without_publication_hour.py [--datasets ../shared/datasets] [--seeds 0,1]

About five minutes a fit on one core; docs/quality_experiments.md (session 18) quotes it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from sklearn.metrics import roc_auc_score

import misinfo.estimators
from misinfo.evaluate import expected_calibration_error
from misinfo.features import METADATA_NAMES, metadata_matrix
from misinfo.train import fit_head, read_reintel

ROOT = Path(__file__).resolve().parent.parent
TIME_COLUMNS = [METADATA_NAMES.index("hour"), METADATA_NAMES.index("weekday")]


def without_time(meta):
    X = metadata_matrix(meta)
    X[:, TIME_COLUMNS] = 0.0
    return X


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--seeds", default="0,1")
    args = parser.parse_args()
    X, y, meta, _ = read_reintel(args.datasets).part("train", unique=True)
    for seed in map(int, args.seeds.split(",")):
        for name, matrix in (("shipped", metadata_matrix), ("without hour and weekday", without_time)):
            misinfo.estimators.metadata_matrix = matrix  # what MetadataFeatures calls while fitting
            _, threshold, proba = fit_head("misinformation", X, y, meta, tier="fast", seed=seed)
            print(f"seed {seed}, {name}: ROC-AUC {roc_auc_score(y, proba):.4f}, "
                  f"ECE {expected_calibration_error(y, proba):.4f}, threshold {threshold}", flush=True)
    misinfo.estimators.metadata_matrix = metadata_matrix


if __name__ == "__main__":
    main()
