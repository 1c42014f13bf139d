#!/usr/bin/env node
// `pnpm bench`: every benchmark of rtvoice, side by side in one run, on this machine. Needs `pnpm build`
// and Debian's Chromium (scripts/bench.sh does both). Runs, in order: bundle sizes (esbuild), the browser
// sim's capacity and the token endpoint's load (first, on an idle machine), the full forms of the
// reliability suite's load and soak tests, then the browser benches in Chromium on a delayed loopback
// network (connect, turn latency and barge-in, long session). Prints one table of ratios and writes
// bench/results.md (date, machine, delays). Bounded: every step has its own time limit.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = fileURLToPath(new URL('out/', import.meta.url));
const quick = process.argv.includes('--quick'); // fewer rounds, for trying the bench itself
const reportOnly = process.argv.includes('--report'); // only rewrite results.md from the last run's bench/out
if (!reportOnly) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
}
const started = Date.now();

/** Runs one step with its output streamed; resolves with its exit code (a failed step is reported, the rest go on). */
function step(name, command, args, env, limitMs) {
  console.log(`\n== ${name}`);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, detached: true });
    const timer = setTimeout(() => {
      console.error(`bench: ${name} took over ${limitMs / 60_000} min, stopped`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      console.log(`== ${name}: ${code === 0 ? 'done' : `FAILED (${code})`} in ${Math.round((Date.now() - t0) / 1000)} s`);
      resolve(code ?? 1);
    });
  });
}

const read = (name) => {
  try {
    return JSON.parse(readFileSync(`${out}${name}.json`, 'utf8'));
  } catch {
    return undefined;
  }
};

const codes = {};
const run = reportOnly ? async () => 0 : step;
codes.size = await run('bundle sizes', 'node', ['bench/size-compare.mjs'], { BENCH_JSON: `${out}size.json` }, 3 * 60_000);
codes.sim = await run('sim capacity', 'node', ['packages/sim/bench/concurrency.mjs'], {
  BENCH_JSON: `${out}sim.json`,
  BENCH_STEPS: quick ? '5,10' : '5,10,20,30',
  BENCH_STEP_SECONDS: '8',
  BENCH_PRIORITIES: 'normal,rt',
}, 5 * 60_000);
codes.token = await run('token endpoint load', 'node', ['packages/server/bench/load.mjs'], {
  BENCH_JSON: `${out}token.json`,
  BENCH_REQUESTS: '3000',
  BENCH_PAIRS: '1500',
}, 3 * 60_000);

// The reliability suite's full forms (short forms run in `npm test`): pass/fail, with what they did.
codes.load = await run('load, full form (autocannon on the token and call handlers, alone and two sharing redis-server)', 'pnpm', ['exec', 'vitest', 'run', 'packages/server/src/load.test.ts'], {
  BENCH_JSON: `${out}load.json`,
  LOAD_SECONDS: quick ? '5' : '20',
  LOAD_CONNECTIONS: quick ? '32' : '64',
}, 4 * 60_000);
codes.soak = await run('soak, full form (typed turns across forced reconnects, Chromium)', 'bash', ['scripts/e2e.sh', 'tests/soak.spec.ts'], {
  BENCH_JSON: `${out}soak.json`,
  SOAK_SEGMENTS: quick ? '3' : '10',
  SOAK_TURNS: quick ? '4' : '10',
}, 20 * 60_000);

codes.browser = await run('browser benches (Chromium, delayed loopback network)', 'bash', ['scripts/bench-browser.sh'], {
  BENCH_OUT: out,
  ...(quick && { ROUNDS: '3', TURNS: '2', BARGE_INS: '2', SOAK_TURNS: '15' }),
}, 12 * 60_000);

// ── the report ──────────────────────────────────────────────────────────
if (!reportOnly) {
  writeFileSync(`${out}run.json`, JSON.stringify({ minutes: (Date.now() - started) / 60_000, quick, at: new Date().toISOString(), codes }));
}
const runInfo = read('run') ?? { minutes: 0, quick, at: new Date().toISOString(), codes };
Object.assign(codes, runInfo.codes);
const size = read('size');
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const statsOf = (xs) => {
  if (!xs.length) return null;
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))], n: s.length };
};
const connect = read('connect');
const conv = read('conversation');
// speech_started → silent is 0 when the answer was already in a pause the client then kept silent.
for (const b of Object.values(conv?.bargeIns ?? {})) {
  b.fromSpeechStarted = statsOf(b.raw.flatMap((x) => (x.fromSpeechStarted === null ? [] : [Math.max(0, x.fromSpeechStarted)])));
}
const soak = read('long-session');
const load = read('load');
const soakFull = read('soak');
const sim = read('sim');
const token = read('token');

const ms = (x) => (x === undefined || x === null ? '—' : `${Math.round(x)} ms`);
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? (a / b).toFixed(2) : '—');
const med = (net, client, mark) => connect?.[net]?.summary?.[client]?.[mark]?.median;
const p90 = (net, client, mark) => connect?.[net]?.summary?.[client]?.[mark]?.p90;

const ratios = [];
const add = (what, a, b, note = '') => ratios.push({ what, a, b, r: ratio(a, b), note });
if (connect) {
  for (const [net, label] of [['realistic', '40/10 ms'], ['loopback', '0 ms']]) {
    add(`click → first audio, ${label}: rtvoice connect() / quick start`, med(net, 'rtvoice', 'firstAudio'), med(net, 'baseline', 'firstAudio'));
    add(`click → first audio, ${label}: rtvoice connect() / agents-realtime`, med(net, 'rtvoice', 'firstAudio'), med(net, 'agents-realtime', 'firstAudio'));
  }
  add('click → first audio, 40/10 ms: rtvoice after prepare() / quick start', med('realistic', 'rtvoice-prepare', 'firstAudio'), med('realistic', 'baseline', 'firstAudio'));
  add('click → first audio, 40/10 ms: rtvoice prepared connection / quick start', med('realistic', 'rtvoice-prepared-connection', 'firstAudio'), med('realistic', 'baseline', 'firstAudio'));
  add('click → data channel open, 40/10 ms: rtvoice / quick start', med('realistic', 'rtvoice', 'dcOpen'), med('realistic', 'baseline', 'dcOpen'));
  add('click → session.updated, 40/10 ms: rtvoice / quick start', med('realistic', 'rtvoice', 'sessionUpdated'), med('realistic', 'baseline', 'sessionUpdated'));
}
if (conv) {
  const t = (v) => conv.turns?.[v]?.fromSpeechEnd?.median;
  const b = (v) => conv.bargeIns?.[v]?.fromSpeechStarted?.median;
  add('turn: speech end → answer audible, 40 ms: rtvoice / quick start', t('rtvoice'), t('baseline'));
  add('turn: speech end → answer audible, 40 ms: rtvoice WebSocket / WebRTC', t('rtvoice-ws'), t('rtvoice'));
  add('barge-in: speech_started → silent: rtvoice / quick start', b('rtvoice'), b('baseline'), `probe floor ${ms(conv.silenceFloor?.median)}`);
  add('barge-in: speech_started → silent: rtvoice WebSocket / WebRTC', b('rtvoice-ws'), b('rtvoice'));
}
if (size) {
  const core = size.find((r) => r.what === '{ VoiceSession }');
  for (const r of size.filter((x) => !x.name.startsWith('@rtvoice'))) add(`size, gzip: rtvoice { VoiceSession } / ${r.name}`, core?.gzip, r.gzip);
}

const fmtVal = (x, unit) => (typeof x === 'number' ? (unit === 'B' ? `${x.toLocaleString('en-US')} B` : unit === 'ms' ? ms(x) : x.toFixed(1)) : '—');
const ratioRows = ratios.map((r) => `| ${r.what} | ${fmtVal(r.a, r.what.startsWith('size') ? 'B' : 'ms')} | ${fmtVal(r.b, r.what.startsWith('size') ? 'B' : 'ms')} | **${r.r}** | ${r.note} |`);
const ratioTable = ['| measured side by side in this run | rtvoice | other | ratio | |', '|---|---:|---:|---:|---|', ...ratioRows].join('\n');

const MARKS = ['token', 'mic', 'offer', 'sdp', 'dcOpen', 'sessionCreated', 'sessionUpdated', 'firstAudio'];
const connectTable = (net) => {
  const c = connect?.[net];
  if (!c) return '_not measured_';
  const cell = (client, m) => {
    const s = c.summary[client]?.[m];
    if (!s) return '—';
    return s.median < 0 ? 'before' : `${Math.round(s.median)} (${Math.round(s.p90)})`;
  };
  const clients = Object.keys(c.summary);
  return [
    `| client (${c.rounds} connects each) | ${MARKS.join(' | ')} |`,
    `|---|${MARKS.map(() => '---:').join('|')}|`,
    ...clients.map((cl) => `| ${cl} | ${MARKS.map((m) => cell(cl, m)).join(' | ')} |`),
  ].join('\n');
};

const stat = (s) => (s ? `${Math.round(s.median)} ms (p90 ${Math.round(s.p90)}, n ${s.n})` : '—');
const convTable = conv
  ? [
      '| client | speech end (mic) → audible | speech_stopped → audible | speech onset (mic) → silent | speech_started → silent | speech_started → track disabled |',
      '|---|---:|---:|---:|---:|---:|',
      ...Object.keys(conv.turns).map((v) => {
        const t = conv.turns[v];
        const b = conv.bargeIns[v] ?? {};
        return `| ${v} | ${stat(t.fromSpeechEnd)} | ${stat(t.fromSpeechStopped)} | ${stat(b.fromMicOnset)} | ${stat(b.fromSpeechStarted)} | ${b.toTrackDisabled ? `${b.toTrackDisabled.median.toFixed(1)} ms` : '—'} |`;
      }),
    ].join('\n')
  : '_not measured_';

const soakTable = soak
  ? [
      '| | page loaded | connected (+3 turns) | after the turns | disconnected |',
      '|---|---:|---:|---:|---:|',
      ...Object.keys(soak.snapshots.before).map((k) => `| ${k} | ${soak.snapshots.empty[k]} | ${soak.snapshots.before[k]} | ${soak.snapshots.after[k]} | ${soak.snapshots.closed[k]} |`),
    ].join('\n')
  : '_not measured_';

const sizeTable = size
  ? ['| SDK | version | what is imported | min | gzip -9 | brotli |', '|---|---|---|---:|---:|---:|', ...size.map((r) => `| \`${r.name}\` | ${r.version} | ${r.what} | ${r.min.toLocaleString('en-US')} B | ${r.gzip.toLocaleString('en-US')} B | ${r.brotli.toLocaleString('en-US')} B |`)].join('\n')
  : '_not measured_';

let chromium = 'unknown';
try {
  chromium = execFileSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {}
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}, ${chromium}`;
const minutes = runInfo.minutes.toFixed(1);
const failed = Object.entries(codes).filter(([, c]) => c !== 0).map(([k]) => k);

const loadCases = load
  ? [['token handler', load.measured.token], ['call handler', load.measured.call], ...(load.measured.tokenTwoInstancesRedis ?? []).map((r, i) => [`token handler ${i + 1} of 2 sharing redis-server`, r])].filter(([, r]) => r)
  : [];
const loadText = load
  ? `**Load** (${codes.load === 0 ? 'passed' : '**FAILED**'}): autocannon for ${load.seconds} s from ${load.connections} connections, one client IP, limit ${load.rule.burst} burst + ${load.rule.perMinute}/min. ` +
    `${loadCases.map(([what, r]) => `${what}: ${r.total} requests, ${r.ok} allowed, ${r.limited} × 429, ${r.other} other, ${r.errors} socket errors, ${r.timeouts} timeouts`).join('; ')}.`
  : `_load not measured${codes.load ? ' (FAILED)' : ''}_`;
const reconnects = statsOf(soakFull?.reconnectMs ?? []);
const soakText = soakFull
  ? `**Soak** (${codes.soak === 0 ? 'passed' : '**FAILED**'}): ${soakFull.turns} typed turns across ${soakFull.reconnects} forced reconnects (the sim hangs the call up) in ${Math.round(soakFull.seconds)} s: ` +
    `the history complete and in order (${soakFull.historyItems} items), the usage equal to the sum of every \`response.done\` (${soakFull.totalTokens} tokens). ` +
    `Reconnection (an attempt, after its 500 ms backoff, to connected): median ${ms(reconnects?.median)}, p90 ${ms(reconnects?.p90)}.`
  : `_soak not measured${codes.soak ? ' (FAILED)' : ''}_`;

const report = `# rtvoice benchmarks

Measured ${runInfo.at.slice(0, 16).replace('T', ' ')} UTC by \`pnpm bench\` (${minutes} min${runInfo.quick ? ', --quick' : ''}) on ${machine}.
${failed.length ? `\n**Steps that failed: ${failed.join(', ')}** (their figures are missing).\n` : ''}
**Network.** Built in user space (the kernel here has no netem): the Realtime endpoint (rtvoice-sim) is
**40 ms each way** from the browser (a TCP relay for HTTP and WebSocket, where a new connection also pays
its handshake round trip; a per-flow UDP relay for ICE, DTLS, SCTP and RTP), the site and its token
endpoint (\`@rtvoice/server\`) **10 ms each way**, and the token endpoint 40 ms each way from the provider.
Every connect is a new visitor's: a new page, no connection open, no CORS preflight cached (a regular
Chrome profile, which honours \`<link rel=preconnect>\`; Playwright's default incognito context does not).
The loopback run has no delay at all. The sim's own processing (the same for every client) is part of
every figure; what differs between clients is the client.

## Ratios (lower is better for rtvoice)

${ratioTable}

## Connect: click → each step, median (p90) in ms${connect?.at && Math.abs(Date.parse(connect.at) - Date.parse(runInfo.at)) > 5 * 60_000 ? ` (measured ${connect.at.slice(11, 16)} UTC, in a separate run)` : ''}

"before" = done before the click (\`prepare()\`). rtvoice asks for the greeting with \`connect({ speakFirst: true })\`;
the quick start sends \`response.create\` when its data channel opens; \`@openai/agents-realtime\` after \`session.connect()\` resolves.

**40 ms each way to the Realtime endpoint, 10 ms to the site**

${connectTable('realistic')}

**Loopback (0 ms)**

${connectTable('loopback')}

## Conversation (40 ms each way): turn latency and barge-in${conv?.at && Math.abs(Date.parse(conv.at) - Date.parse(runInfo.at)) > 5 * 60_000 ? ` (measured ${conv.at.slice(11, 16)} UTC, in a separate run)` : ''}

Parrot agent, server VAD with 500 ms of silence (part of every turn figure). The quick start does nothing
on barge-in: the server's stop and the jitter buffer are all it gets. The probe reads silence
${ms(conv?.silenceFloor?.median)} after a remote track is disabled by hand: no client can be measured below that floor.

${convTable}

## Long session

${soak ? `${soak.turns} typed turns (${soak.run.toolCalls} tool calls, ${soak.run.responses} responses, ${soak.run.interrupted} interrupted by hand) plus the fake mic's voice turns and barge-ins, in ${Math.round(soak.seconds)} s on one rtvoice session (history: ${soak.run.history} items). Heap after GC; the "page loaded" column includes the bench's own probe (an audio context and its meters, not counted as audio nodes). Page CPU (main thread, share of one core): **${(soak.cpu.idle * 100).toFixed(1)} %** connected and idle, **${(soak.cpu.talking * 100).toFixed(1)} %** while an answer plays.` : ''}

${soakTable}

## Reliability: full forms of the load and soak tests

Pass/fail tests (their short forms run in \`npm test\`), run longer here.

${loadText}

${soakText}

## Bundle sizes (esbuild, browser, ESM, minified)

Each SDK bundled the way an app would (tree-shaken to what the entry imports), then gzip -9 and brotli.
Sizes count what the bundler includes; code an SDK downloads at run time (for example a call engine
fetched from its CDN) is not counted. Versions are the exact pins in \`bench/package.json\`.

${sizeTable}

## Capacity

${sim ? `**rtvoice-sim** (each step a fresh sim process and N wrtc clients talking with audio both ways for ${sim.stepSeconds} s; a frame is late when it leaves more than 20 ms after its due time; the ramp stops at the first step with a late frame while talking): largest step without one: ${Object.entries(sim.best).map(([k, n]) => `**${n}** (rtc hosts ${k})`).join(', ')}. rtc hosts \`process\` (the default) runs the calls' native WebRTC stack in child processes, 8 calls each, so a native crash ends only their calls; \`inline\` runs it in the sim's process; the sim's CPU counts its hosts. The full ramp: \`pnpm --filter @rtvoice/sim bench\`.

| rtc hosts | priority | N | late frames while talking | p99 / max lateness | CPU: sim + clients (cores) | sessions with a response |
|---|---|---:|---:|---:|---:|---:|
${sim.steps.map((r) => r.error ? `| ${r.mode} | ${r.priority} | ${r.n} | failed: ${r.error} | | | |` : `| ${r.mode ?? 'inline'} | ${r.priority} | ${r.n} | ${r.lateFramesSteady} | ${r.p99LatenessMs} / ${r.maxLatenessMs} ms | ${r.simCpuCores} + ${r.clientCpuCores} | ${r.clientsWithResponse}/${r.n} |`).join('\n')}` : '_sim capacity not measured_'}

${token ? `**@rtvoice/server token endpoint** (fake upstream on loopback): ${token.throughput.mintsPerSecond} mints/s at concurrency ${token.concurrency} (upstream alone ${token.throughput.upstreamAlonePerSecond}/s, ${token.throughput.failures} failures); added latency p50 ${token.latencyMs_c1.addedP50.toFixed(2)} ms at concurrency 1; rate limit under ${token.rateLimitMemory.requests} concurrent requests: ${token.rateLimitMemory.ok} allowed in memory${token.rateLimitRedisTwoInstances ? `, ${token.rateLimitRedisTwoInstances.ok} across two instances sharing redis-server` : ''} (burst ${token.rateLimitMemory.expected}).` : '_token endpoint not measured_'}
`;
writeFileSync(new URL('results.md', import.meta.url), report);
console.log(`\n${'='.repeat(100)}\nrtvoice benchmarks, one run (${minutes} min) on ${machine}\nnetwork: 40 ms each way to the Realtime endpoint, 10 ms to the site (and a 0 ms run)\n`);
const w = Math.max(...ratios.map((r) => r.what.length));
for (const r of ratios) console.log(`${r.what.padEnd(w)}  ${String(r.r).padStart(6)}   (${fmtVal(r.a, r.what.startsWith('size') ? 'B' : 'ms')} vs ${fmtVal(r.b, r.what.startsWith('size') ? 'B' : 'ms')})${r.note ? `  ${r.note}` : ''}`);
console.log(`\nwritten to bench/results.md${failed.length ? `; FAILED steps: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
