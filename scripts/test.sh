#!/usr/bin/env bash
# Quick start, command 2: runs every test. Installs what it needs (pnpm, node
# modules, and as root Debian's chromium espeak-ng sox redis-server), builds,
# type-checks, runs the unit tests (Vitest) and the browser e2e (Playwright in
# Chromium, inside a loopback-only network namespace), then prints
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1
mkdir -p .tmp
rm -f .tmp/vitest-results.json .tmp/e2e-results.json

echo "== build"
pnpm -s build || { echo "0 passed, 1 failed"; exit 1; }
pnpm -s --filter @rtvoice/example-demo build >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
pnpm -s --filter @rtvoice/example-react build >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
echo "== typecheck"
pnpm -s typecheck || { echo "0 passed, 1 failed"; exit 1; }
echo "== bundle size budgets (size-budget.json)"
node scripts/size.mjs || { echo "0 passed, 1 failed (over a bundle size budget)"; exit 1; }

echo "== unit tests (vitest)"
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-results.json
unit=$?
echo "== browser e2e (playwright, chromium)"
bash scripts/e2e.sh
e2e=$?

node scripts/summarize.mjs .tmp/vitest-results.json .tmp/e2e-results.json
summary=$?
[ $unit -eq 0 ] && [ $e2e -eq 0 ] && [ $summary -eq 0 ]
