#!/usr/bin/env node
// Reads the Vitest and Playwright JSON reports and prints one closing line:
// "N passed, N failed" (skipped counted separately). Exit code 1 on any failure
// or when a report is missing (a runner that crashed ran no test).
import { existsSync, readFileSync } from 'node:fs';

const [vitestPath, playwrightPath] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

if (vitestPath && existsSync(vitestPath)) {
  const r = JSON.parse(readFileSync(vitestPath, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (r.numFailedTestSuites) problems.push(`${r.numFailedTestSuites} unit test file(s) failed to run`);
  failed += r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0;
} else problems.push('no Vitest report');

if (playwrightPath && existsSync(playwrightPath)) {
  const r = JSON.parse(readFileSync(playwrightPath, 'utf8'));
  passed += r.stats?.expected ?? 0;
  failed += (r.stats?.unexpected ?? 0) + (r.stats?.flaky ?? 0);
  skipped += r.stats?.skipped ?? 0;
  for (const e of r.errors ?? []) problems.push(`playwright: ${String(e.message ?? e).split('\n')[0]}`);
} else problems.push('no Playwright report');

for (const p of problems) console.log(`summary: ${p}`);
if (problems.length && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
