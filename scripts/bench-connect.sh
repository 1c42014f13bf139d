#!/usr/bin/env bash
# Side-by-side benchmarks in Chromium (connect: rtvoice vs @openai/agents-realtime; turn latency: WebRTC vs WebSocket) against the
# local sim, inside a loopback-only network namespace when run as root. Needs `pnpm build`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ "$(id -u)" -eq 0 ] && [ -z "${RTVOICE_IN_NETNS:-}" ]; then
  exec unshare -n env RTVOICE_IN_NETNS=1 bash -c 'ip link set lo up && cd e2e && exec pnpm exec playwright test -c bench.config.ts'
fi
cd e2e && exec pnpm exec playwright test -c bench.config.ts
