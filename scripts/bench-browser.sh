#!/usr/bin/env bash
# The browser benchmarks (e2e/bench/*.bench.ts: connect, turn latency and barge-in, long session) in
# Debian's Chromium against the local sim on a delayed loopback network, inside a loopback-only network
# namespace when run as root. Needs `pnpm build`. Part of `pnpm bench` (bench/run.mjs), which reads the
# JSON they write to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ "$(id -u)" -eq 0 ] && [ -z "${RTVOICE_IN_NETNS:-}" ]; then
  exec unshare -n env RTVOICE_IN_NETNS=1 bash -c 'ip link set lo up && cd e2e && exec pnpm exec playwright test -c bench.config.ts "$@"' bash "$@"
fi
cd e2e && exec pnpm exec playwright test -c bench.config.ts "$@"
