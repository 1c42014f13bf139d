#!/usr/bin/env bash
# Quick start, command 1: runs the demo on the built-in simulator (no API key).
# With OPENAI_API_KEY set, the same page talks to OpenAI Realtime instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm -s build >/dev/null
pnpm -s --filter @rtvoice/example-demo build >/dev/null
pnpm -s --filter @rtvoice/example-react build >/dev/null
exec node examples/demo/server.mjs "$@"
