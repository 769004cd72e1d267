#!/usr/bin/env bash
# The checks that run every time, here and first in CI: formatting, lint, strict types on analysis/
# (pyproject.toml's [tool.mypy]) and the fast tier of tests (pytest -m unit, about two minutes).
# --static stops before the tests; any other arguments go to pytest. Every check runs even after
# one fails, and the script exits non-zero if any did.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test || exit 1

static_only=0
if [ "${1:-}" = "--static" ]; then
  static_only=1
  shift
fi

failed=()
check() {
  echo "== $*" >&2
  "$@" || failed+=("$*")
}
check .venv/bin/ruff format --check .
check .venv/bin/ruff check .
check .venv/bin/mypy
[ "$static_only" -eq 1 ] || check .venv/bin/python -m pytest -m unit -q "$@"

if [ ${#failed[@]} -gt 0 ]; then
  printf 'Failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
