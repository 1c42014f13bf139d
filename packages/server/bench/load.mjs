#!/usr/bin/env node
/**
 * Load test for @rtvoice/server (run with `pnpm --filter @rtvoice/server bench`; it builds first).
 *
 * Everything binds 127.0.0.1 and every phase has a fixed request count; a watchdog ends the run
 * after 120 s whatever happens. Three threads: the fake upstream, the token server, and this
 * client. Reports:
 *   1. mints per second through the handler (and the upstream alone, for reference);
 *   2. latency of a direct upstream call and of a call through the handler, measured side by
 *      side (interleaved) in the same run; the difference is the added latency. The handler's
 *      own time (total minus upstream wait, from its log entries) is reported too;
 *   3. that the rate limit holds exactly under concurrency: in memory, and shared by two
 *      instances through a real redis-server when one can be started.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, Agent } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const HOST = '127.0.0.1';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const THROUGHPUT_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6000);
const LATENCY_PAIRS = Number(process.env.BENCH_PAIRS ?? 3000);
const LIMIT_BURST = 100;
const LIMIT_REQUESTS = 1000;

const SECRET = JSON.stringify({
  value: 'ek_bench',
  expires_at: 2_000_000_000,
  session: { type: 'realtime', object: 'realtime.session', id: 'sess_bench', model: 'gpt-realtime', audio: { output: { voice: 'marin' } } },
});

function listen(server) {
  return new Promise((resolve) => server.listen(0, HOST, () => resolve(server.address().port)));
}

function closeServer(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Fake GA upstream: answers every POST with a fixed client secret. */
async function runUpstream() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(SECRET) });
      res.end(SECRET);
    });
  });
  server.keepAliveTimeout = 60_000;
  parentPort.postMessage({ port: await listen(server) });
  parentPort.on('message', async (msg) => {
    if (msg === 'stop') {
      await closeServer(server);
      parentPort.close();
    }
  });
}

/** Token server: the built handler behind toNodeListener, limits on with a huge bucket. */
async function runTokenServer() {
  const { createTokenHandler } = await import('../dist/index.js');
  const { toNodeListener } = await import('../dist/node.js');
  const own = [];
  const handler = createTokenHandler({
    upstream: workerData.upstream,
    rateLimit: { perIp: { burst: 1_000_000, perMinute: 1_000_000 } },
    logger: (e) => {
      if (e.event === 'token.minted') own.push(e.durationMs - e.upstreamMs);
    },
  });
  const server = createServer(toNodeListener(handler));
  server.keepAliveTimeout = 60_000;
  parentPort.postMessage({ port: await listen(server) });
  parentPort.on('message', async (msg) => {
    if (msg === 'reset') own.length = 0;
    if (msg === 'report') parentPort.postMessage({ own });
    if (msg === 'stop') {
      await closeServer(server);
      parentPort.close();
    }
  });
}

function startWorker(role, data = {}) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role, ...data } });
  const ready = new Promise((resolve, reject) => {
    worker.once('message', (m) => resolve(m.port));
    worker.once('error', reject);
  });
  return { worker, ready };
}

function ask(worker, message) {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(message);
  });
}

function stopWorker(worker) {
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    worker.postMessage('stop');
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** One POST; resolves with [status, milliseconds]. */
function post(url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve([res.statusCode, performance.now() - started]));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function pool(count, concurrency, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next;
      next += 1;
      await task(i);
    }
  });
  await Promise.all(workers);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), n: sorted.length };
}

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(3) : String(n));

async function freePort() {
  const server = createNetServer();
  const port = await new Promise((resolve) => server.listen(0, HOST, () => resolve(server.address().port)));
  await new Promise((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts redis-server if the binary exists; resolves undefined otherwise. */
async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ok = await new Promise((resolve) => {
    let out = '';
    const timer = setTimeout(() => resolve(false), 5_000);
    child.on('error', () => (clearTimeout(timer), resolve(false)));
    child.on('exit', () => (clearTimeout(timer), resolve(false)));
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('Ready to accept connections')) (clearTimeout(timer), resolve(true));
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  if (!ok) {
    await stop();
    return undefined;
  }
  return { url: `redis://${HOST}:${port}`, stop };
}

/** Fires `LIMIT_REQUESTS` concurrent mints from one client IP at `urls` (round robin). */
async function exactness(urls) {
  const results = await Promise.all(
    Array.from({ length: LIMIT_REQUESTS }, (_, i) => post(`${urls[i % urls.length]}/api/token`, '{}', { 'x-forwarded-for': '198.51.100.1' })),
  );
  const ok = results.filter(([s]) => s === 200).length;
  const limited = results.filter(([s]) => s === 429).length;
  return { ok, limited, other: results.length - ok - limited };
}

async function limitServers(upstream, stores) {
  const { createTokenHandler } = await import('../dist/index.js');
  const { toNodeListener } = await import('../dist/node.js');
  const servers = [];
  for (const store of stores) {
    const handler = createTokenHandler({
      upstream,
      trustProxy: 1,
      rateLimit: { ...(store ? { store } : {}), perIp: { burst: LIMIT_BURST, perMinute: 1 } },
    });
    const server = createServer(toNodeListener(handler));
    const port = await listen(server);
    servers.push({ server, url: `http://${HOST}:${port}` });
  }
  return servers;
}

async function main() {
  const watchdog = setTimeout(() => {
    console.error('bench: watchdog fired after 120 s; aborting');
    process.exit(2);
  }, 120_000);
  const up = startWorker('upstream');
  const upstreamBase = `http://${HOST}:${await up.ready}/v1`;
  const tok = startWorker('token', { upstream: upstreamBase });
  const tokenUrl = `http://${HOST}:${await tok.ready}/api/token`;
  const directUrl = `${upstreamBase}/realtime/client_secrets`;
  const directBody = JSON.stringify({ expires_after: { anchor: 'created_at', seconds: 60 }, session: { type: 'realtime', model: 'gpt-realtime', audio: { output: { voice: 'marin' } } } });
  const report = { concurrency: CONCURRENCY };
  try {
    // Warm up both paths (JIT, keep-alive sockets).
    await pool(500, CONCURRENCY, (i) => (i % 2 ? post(tokenUrl, '{}') : post(directUrl, directBody)));

    // 1. Throughput.
    let started = performance.now();
    await pool(THROUGHPUT_REQUESTS, CONCURRENCY, () => post(directUrl, directBody));
    const directRps = THROUGHPUT_REQUESTS / ((performance.now() - started) / 1000);
    let failures = 0;
    started = performance.now();
    await pool(THROUGHPUT_REQUESTS, CONCURRENCY, async () => {
      const [status] = await post(tokenUrl, '{}');
      if (status !== 200) failures += 1;
    });
    const mintRps = THROUGHPUT_REQUESTS / ((performance.now() - started) / 1000);
    report.throughput = { mintsPerSecond: Math.round(mintRps), upstreamAlonePerSecond: Math.round(directRps), failures, requests: THROUGHPUT_REQUESTS };

    // 2. Side-by-side latency at concurrency 1 (pure added latency, no queueing), then at CONCURRENCY.
    for (const conc of [1, CONCURRENCY]) {
      tok.worker.postMessage('reset');
      const direct = [];
      const through = [];
      await pool(LATENCY_PAIRS, conc, async (i) => {
        // Alternate the order so neither path always goes first.
        if (i % 2) {
          direct.push((await post(directUrl, directBody))[1]);
          through.push((await post(tokenUrl, '{}'))[1]);
        } else {
          through.push((await post(tokenUrl, '{}'))[1]);
          direct.push((await post(directUrl, directBody))[1]);
        }
      });
      const { own } = await ask(tok.worker, 'report');
      const d = stats(direct);
      const t = stats(through);
      report[`latencyMs_c${conc}`] = {
        direct: d,
        throughHandler: t,
        addedP50: t.p50 - d.p50,
        addedP99: t.p99 - d.p99,
        handlerOwnTime: stats(own),
      };
    }
  } finally {
    await stopWorker(tok.worker);
  }

  // 3. Rate-limit exactness under concurrency.
  const memory = await limitServers(upstreamBase, [undefined]);
  report.rateLimitMemory = { expected: LIMIT_BURST, requests: LIMIT_REQUESTS, ...(await exactness(memory.map((s) => s.url))) };
  for (const s of memory) await closeServer(s.server);
  const redis = await startRedis();
  if (redis) {
    const { Redis } = await import('ioredis');
    const { RedisRateLimitStore } = await import('../dist/index.js');
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    const shared = await limitServers(upstreamBase, clients.map((client) => new RedisRateLimitStore({ client, prefix: 'bench:' })));
    report.rateLimitRedisTwoInstances = { expected: LIMIT_BURST, requests: LIMIT_REQUESTS, ...(await exactness(shared.map((s) => s.url))) };
    for (const s of shared) await closeServer(s.server);
    await Promise.all(clients.map((c) => c.quit()));
    await redis.stop();
  } else {
    report.rateLimitRedisTwoInstances = 'skipped: redis-server could not be started';
  }
  await stopWorker(up.worker);
  agent.destroy();
  clearTimeout(watchdog);

  const lat = (k) => report[k];
  console.log('@rtvoice/server load test (loopback, fake upstream)');
  console.log(`  mints/s through the handler: ${report.throughput.mintsPerSecond} (upstream alone: ${report.throughput.upstreamAlonePerSecond}/s, concurrency ${CONCURRENCY}, ${report.throughput.failures} failures)`);
  for (const k of ['latencyMs_c1', `latencyMs_c${CONCURRENCY}`]) {
    const l = lat(k);
    console.log(`  ${k}: direct p50 ${fmt(l.direct.p50)} p99 ${fmt(l.direct.p99)} | via handler p50 ${fmt(l.throughHandler.p50)} p99 ${fmt(l.throughHandler.p99)} | added p50 ${fmt(l.addedP50)} p99 ${fmt(l.addedP99)} | handler own time p50 ${fmt(l.handlerOwnTime.p50)} p99 ${fmt(l.handlerOwnTime.p99)}`);
  }
  const exact = (r) => (typeof r === 'string' ? r : `${r.ok} of ${r.requests} allowed (expected ${r.expected}), ${r.limited} × 429, ${r.other} other → ${r.ok === r.expected && r.other === 0 ? 'EXACT' : 'NOT EXACT'}`);
  console.log(`  rate limit, memory store: ${exact(report.rateLimitMemory)}`);
  console.log(`  rate limit, Redis, two instances: ${exact(report.rateLimitRedisTwoInstances)}`);
  console.log(JSON.stringify(report));
  // For bench/run.mjs.
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(report, null, 2));
  const broken = [report.rateLimitMemory, report.rateLimitRedisTwoInstances].some((r) => typeof r !== 'string' && (r.ok !== r.expected || r.other !== 0));
  process.exitCode = broken || report.throughput.failures > 0 ? 1 : 0;
}

if (isMainThread) {
  await main();
} else if (workerData.role === 'upstream') {
  await runUpstream();
} else {
  await runTokenServer();
}
