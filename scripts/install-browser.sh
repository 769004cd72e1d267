#!/usr/bin/env bash
# Installs Debian's Chromium (browser tests, image export), poppler-utils (PDF checks) and a font.
# Idempotent: does nothing when they are already there. Never downloads a browser of its own.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Please install ${missing[*]} with your system's package manager (needs apt-get here)." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Installing ${missing[*]} needs root: run 'apt-get install -y ${missing[*]}' as root." >&2
    exit 1
  fi
fi
echo "Installing ${missing[*]} from Debian's packages (once)..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
