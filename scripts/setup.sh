#!/usr/bin/env bash
# Creates .venv and installs the project (with test tools when called with "test"). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  echo "Mentoring Program Health needs Python 3.11 or newer; install it and run this again." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
stamp=".venv/.installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras}"
  touch "$stamp"
fi
bash scripts/install-browser.sh || echo "Continuing without Chromium: PNG, SVG, PDF and PowerPoint exports will say so." >&2
if [ "${1:-}" = "test" ]; then
  bash scripts/install-office.sh || echo "Continuing without LibreOffice: the slide-rendering test will be skipped." >&2
fi
