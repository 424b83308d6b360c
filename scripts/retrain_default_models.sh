#!/usr/bin/env bash
# Rebuild the shipped models in models/ from ../shared/datasets (both tiers; needs misinfo[accurate]).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m misinfo.train defaults --datasets "${DATASETS:-../shared/datasets}" --out models "$@"
