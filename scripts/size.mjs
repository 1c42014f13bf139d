// Bundle-size budget: bundles each `import` entry the way an app would (esbuild, browser, ESM,
// minified; `mustNotContain` lists strings whose presence means tree-shaking failed), or takes a `file` entry (a built bundle such as the widget's IIFE) as is, gzips it at
// level 9 and fails when it is over the committed budget in size-budget.json.
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
/** A built file, measured byte for byte as it ships (no re-bundling, no re-minifying). */
function measureFile(file) {
  const contents = readFileSync(new URL(`../${file}`, import.meta.url));
  return { outputFiles: [{ contents }], metafile: { outputs: { [file]: { inputs: { [file]: { bytesInOutput: contents.length } } } } } };
}

for (const b of budgets) {
  const result = b.file ? measureFile(b.file) : await build({
    stdin: { contents: b.import, resolveDir: root, loader: 'js' },
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
  // Tree-shaking check: code that must cost nothing to apps that do not import it.
  const text = Buffer.from(bytes).toString('utf8');
  const leaked = (b.mustNotContain ?? []).filter((marker) => text.includes(marker));
  const ok = gzip <= b.limitGzip && leaked.length === 0;
  if (!ok) failed += 1;
  console.log(`${ok ? 'ok  ' : 'OVER'} ${b.name}: ${gzip} B gzip (budget ${b.limitGzip} B), ${brotli} B brotli, ${bytes.length} B minified`);
  if (leaked.length) console.log(`       not tree-shaken: the bundle contains ${leaked.map((m) => JSON.stringify(m)).join(', ')}`);
  if (report) {
    const inputs = Object.values(result.metafile.outputs)[0].inputs;
    for (const [file, { bytesInOutput }] of Object.entries(inputs).sort((x, y) => y[1].bytesInOutput - x[1].bytesInOutput).slice(0, 15)) {
      console.log(`       ${String(bytesInOutput).padStart(6)}  ${file}`);
    }
  }
}
process.exit(failed ? 1 : 0);
