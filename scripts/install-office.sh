#!/usr/bin/env bash
# Installs Debian's libreoffice-impress, which the tests use to render the PowerPoint brief to PDF
# and look at its slides as a reader's PowerPoint would show them. Tests only; idempotent.
set -euo pipefail

command -v soffice >/dev/null 2>&1 && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Please install libreoffice-impress with your system's package manager (needs apt-get here)." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Installing libreoffice-impress needs root: run 'apt-get install -y libreoffice-impress' as root." >&2
    exit 1
  fi
fi
echo "Installing libreoffice-impress from Debian's packages (once, for the brief's slide checks)..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends libreoffice-impress >/dev/null
