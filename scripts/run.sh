#!/usr/bin/env bash
# Sets up and runs the dashboard. First run builds data/mentoring.duckdb from data/sample/.
# Extra arguments go to streamlit, e.g. scripts/run.sh --server.port 8600
#
# Without sign-in configured (README, "Sign-in") it listens on 127.0.0.1 only: another address
# needs --allow-remote (or MENTORING_ALLOW_REMOTE=1), and the dashboard then warns on every page.
# With sign-in configured it binds what you configure (--server.address, .streamlit/config.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
passthrough=0
for arg in "$@"; do
  if [ "$passthrough" -eq 0 ] && [ "$arg" = "--allow-remote" ]; then
    export MENTORING_ALLOW_REMOTE=1
    continue
  fi
  [ "$arg" = "--" ] && passthrough=1
  args+=("$arg")
done

bash scripts/setup.sh
address="$(.venv/bin/python -m analysis.access launch-address "${args[@]}")"
exec .venv/bin/python -m streamlit run dashboard.py --server.headless true \
  ${address:+--server.address "$address"} "${args[@]}"
