#!/usr/bin/env bash
# Runs the Playwright suite in real Chromium inside a fresh network namespace
# with only loopback up: no traffic can leave the machine, and WebRTC uses
# 127.0.0.1 candidates only. Needs root (unshare -n) or an existing netns.
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ "$(id -u)" -eq 0 ] && [ -z "${RTVOICE_IN_NETNS:-}" ]; then
  exec unshare -n env RTVOICE_IN_NETNS=1 bash -c 'ip link set lo up && cd e2e && exec pnpm exec playwright test "$@"' e2e "$@"
fi
cd e2e && exec pnpm exec playwright test "$@"
