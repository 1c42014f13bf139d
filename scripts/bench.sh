#!/usr/bin/env bash
# `pnpm bench`: installs what the benchmarks need (quick when present), builds, and runs bench/run.mjs
# (every benchmark side by side; prints the ratio table and writes bench/results.md). Pass --quick for
# a shorter run with fewer rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
pnpm install --frozen-lockfile --prefer-offline >/dev/null
pnpm build >/dev/null
exec node bench/run.mjs "$@"
