#!/usr/bin/env bash
# Rebuild the shipped models in models/ from ../shared/datasets (both tiers; needs misinfo[accurate]).
# The ablation runs first so that the model card written by `defaults` includes its table.
set -euo pipefail
cd "$(dirname "$0")/.."
# One OpenMP thread: the boosted trees give the same result with any count and thrash when they
# share the cores.  Two BLAS threads: the shipped models were built so, and the BLAS thread count
# changes the last bits of the logistic regressions (probabilities by ~1e-13, ECE in the 14th digit).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}"
python -m misinfo.train ablation --datasets "${DATASETS:-../shared/datasets}" --out models/ablation.json
python -m misinfo.train defaults --datasets "${DATASETS:-../shared/datasets}" --out models "$@"
