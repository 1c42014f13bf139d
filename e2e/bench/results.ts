import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the benches write their JSON results for `bench/run.mjs` (`BENCH_OUT`, default `bench/out`). */
export const OUT_DIR = process.env.BENCH_OUT ?? fileURLToPath(new URL('../../bench/out', import.meta.url));

/** Writes one bench's results as `<name>.json` in {@link OUT_DIR}. */
export function writeResult(name: string, data: unknown): void {
  const file = join(OUT_DIR, `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), ...(data as object) }, null, 2)}\n`);
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The 90th percentile of `xs` (nearest rank). */
export function p90(xs: number[]): number {
  return sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]!;
}
