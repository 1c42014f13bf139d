// Bundle-size budget: bundles each entry the way an app would (esbuild, browser, ESM, minified),
// gzips it at level 9 and fails when it is over the committed budget in size-budget.json.
//   node scripts/size.mjs           check every budget
//   node scripts/size.mjs --report  also list the biggest inputs of each bundle
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const budgets = JSON.parse(readFileSync(new URL('../size-budget.json', import.meta.url), 'utf8'));
const report = process.argv.includes('--report');
let failed = 0;
for (const b of budgets) {
  const result = await build({
    stdin: b.import ? { contents: b.import, resolveDir: root, loader: 'js' } : undefined,
    entryPoints: b.file ? [b.file] : undefined,
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes).length;
  const ok = gzip <= b.limitGzip;
  if (!ok) failed += 1;
  console.log(`${ok ? 'ok  ' : 'OVER'} ${b.name}: ${gzip} B gzip (budget ${b.limitGzip} B), ${brotli} B brotli, ${bytes.length} B minified`);
  if (report) {
    const inputs = Object.values(result.metafile.outputs)[0].inputs;
    for (const [file, { bytesInOutput }] of Object.entries(inputs).sort((x, y) => y[1].bytesInOutput - x[1].bytesInOutput).slice(0, 15)) {
      console.log(`       ${String(bytesInOutput).padStart(6)}  ${file}`);
    }
  }
}
process.exit(failed ? 1 : 0);
