#!/usr/bin/env bash
# Installs what rtvoice needs, and is quick when it is already there.
#   scripts/setup.sh         pnpm + node modules (enough for the demo)
#   scripts/setup.sh --test  also Debian's chromium, espeak-ng, sox, redis-server (as root)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1; then
  echo "setup: installing pnpm from the npm registry"
  npm i -g --allow-scripts=pnpm pnpm@12.21.0 >/dev/null
fi

if [ "${1:-}" = "--test" ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
  command -v sox >/dev/null 2>&1 || missing+=(sox)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "setup: missing ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    echo "setup: apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# Playwright must never download a browser: Debian's chromium is used.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
pnpm install --frozen-lockfile --reporter=silent
