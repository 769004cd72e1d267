#!/usr/bin/env bash
# Sets up (test tools, Debian's Chromium and axe-core included) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
bash scripts/install-axe.sh ||
  echo "Continuing without axe-core: tests/test_accessibility.py is skipped (and fails in CI)." >&2
exec .venv/bin/python -m pytest "$@"
