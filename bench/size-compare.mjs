// Bundle sizes side by side: rtvoice and other browser voice-agent SDKs, each bundled the same
// way an app would (esbuild, browser, ESM, minified, tree-shaken to what the entry imports), then
// compressed with gzip -9 and brotli. Needs `pnpm build` (rtvoice is measured from its dist).
// Prints a table (and writes it as JSON to $BENCH_JSON for bench/run.mjs, which puts it in
// bench/results.md). Versions are the exact pins in package.json.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8'));
const version = (name) => (pkg.devDependencies[name]?.startsWith('workspace') ? 'this repo' : pkg.devDependencies[name]);

/** What an app imports from each SDK to run one voice call in the browser. */
const entries = [
  { name: '@rtvoice/client', what: '{ VoiceSession }', contents: "export { VoiceSession } from '@rtvoice/client';" },
  { name: '@rtvoice/client', what: '{ VoiceSession, autoTransport }', contents: "export { VoiceSession, autoTransport } from '@rtvoice/client';" },
  { name: '@rtvoice/widget', what: 'script-tag IIFE, all-in (as shipped)', file: '../packages/widget/dist/rtvoice-widget.iife.js' },
  { name: '@openai/agents-realtime', what: '{ RealtimeAgent, RealtimeSession }', contents: "export { RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';" },
  {
    name: '@pipecat-ai/client-js',
    what: '{ PipecatClient } + SmallWebRTCTransport',
    contents: "export { PipecatClient } from '@pipecat-ai/client-js'; export { SmallWebRTCTransport } from '@pipecat-ai/small-webrtc-transport';",
  },
  { name: '@vapi-ai/web', what: 'default export (Vapi)', contents: "export { default } from '@vapi-ai/web';" },
  { name: 'livekit-client', what: '{ Room }', contents: "export { Room } from 'livekit-client';" },
  { name: '@elevenlabs/client', what: '{ Conversation }', contents: "export { Conversation } from '@elevenlabs/client';" },
];

const rows = [];
for (const e of entries) {
  let bytes;
  if (e.file) bytes = readFileSync(new URL(e.file, import.meta.url));
  else {
    const result = await build({
      stdin: { contents: e.contents, resolveDir: here, loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    bytes = result.outputFiles[0].contents;
  }
  rows.push({ ...e, version: version(e.name), min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotliCompressSync(bytes).length });
}

const base = rows[0].gzip;
const fmt = (n) => n.toLocaleString('en-US');
const lines = [
  '| SDK | version | what is imported | min | gzip -9 | brotli | gzip vs `{ VoiceSession }` |',
  '|---|---|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| \`${r.name}\` | ${r.version} | ${r.what} | ${fmt(r.min)} B | ${fmt(r.gzip)} B | ${fmt(r.brotli)} B | ${(r.gzip / base).toFixed(2)}× |`),
];
const table = `${lines.join('\n')}\n\nSizes count what the bundler includes; code an SDK downloads at run time (for example a call engine fetched from its CDN) is not counted.`;
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows.map(({ contents, file, ...r }) => r), null, 2));
console.log('Bundle sizes (esbuild, browser, ESM, minified; gzip -9 and brotli):\n');
console.log(table);
