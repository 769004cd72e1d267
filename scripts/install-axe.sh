#!/usr/bin/env bash
# Installs axe-core (the accessibility rules the browser test runs in Chromium) from the npm
# registry into .cache/axe (git-ignored), with Debian's nodejs and npm when they are missing.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

version="4.14.1"
folder=".cache/axe"
installed="$folder/node_modules/axe-core/package.json"

if [ -f "$installed" ] && grep -q "\"version\": \"$version\"" "$installed" &&
   [ -f "$folder/node_modules/axe-core/axe.min.js" ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install nodejs and npm with your system's package manager (needs apt-get here)." >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "Installing nodejs and npm needs root: run 'apt-get install -y nodejs npm' as root." >&2
      exit 1
    fi
  fi
  echo "Installing nodejs and npm from Debian's packages (once)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

echo "Installing axe-core $version into $folder (once)..." >&2
mkdir -p "$folder"
npm install --prefix "$folder" --no-save --no-audit --no-fund --loglevel=error \
  "axe-core@$version" >/dev/null
