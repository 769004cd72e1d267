#!/usr/bin/env bash
# Sets up and runs the dashboard. First run builds data/mentoring.duckdb from data/sample/.
# Extra arguments go to streamlit, e.g. scripts/run.sh --server.port 8600
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run dashboard.py --server.headless true "$@"
