#!/usr/bin/env node
/**
 * Concurrency benchmark of @rtvoice/sim (NOT a test). Bounded, loopback only,
 * stops by itself and ends with process.exit().
 *
 * For each step N (default 5, 10, 20, 30, 40, 50) it starts a fresh sim in a
 * child process (`dist/cli.js`, so the sim has its own event loop and core),
 * connects N wrtc clients from this process, and for BENCH_STEP_SECONDS
 * (default 8) every client talks: 1.5 s of a synthetic voice every 3 s, so
 * the sim runs VAD, commits turns and parrots them back. Audio flows both
 * ways all the time (voice or silence frames).
 *
 * The sim's own send schedule is measured by its AudioClock (GET /health):
 * a frame is "late" when it left more than 20 ms after its due time. A step
 * passes when no frame was late while the sessions talked (frames made late
 * while the N peers were connecting are reported apart), every client got at
 * least one response and the listening clients heard the parrot (received
 * level > 0.05). The bench stops at the first failing step and reports the
 * largest passing N.
 *
 * The machine is shared (2 cores; other test suites may run). Before each
 * step the bench waits (at most 10 s) until the CPUs are mostly idle, and
 * during the step a separate tiny probe process runs a 10 ms timer: its late
 * ticks measure stalls that come from the machine, not from the sim. A step
 * that fails on late frames while the probe was late too is retried once;
 * every attempt is printed. Worst case about 10 minutes, typically 3.
 *
 * The ramp runs for each priority: the sim at normal priority, and at
 * real-time priority (`chrt -r 10`, as audio servers are usually run; needs
 * root, skipped otherwise). With 20+ sessions the processes run ~150
 * wrtc threads on 2 vCPUs; at normal priority the sim's event loop then
 * waits for a CPU often enough to send some frames late.
 * BENCH_PRIORITIES=normal,rt selects the runs.
 *
 * And for each place of the native WebRTC stack (BENCH_RTC_HOSTS=process,inline):
 * in rtc host processes (the default, a native crash ends only their calls) or
 * inline in the sim's process. The sim's CPU counts its hosts. Lateness is
 * measured at the sim's clock: with hosts, a frame then crosses one IPC hop.
 *
 * Env: BENCH_STEPS="5,10,20", BENCH_STEP_SECONDS=8.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { synthesizeVoice } from '../dist/index.js';
import { AudioClock, connectTestClient } from '../dist/testing.js';

const STEPS = (process.env.BENCH_STEPS ?? '5,10,20,30,40,50').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const STEP_SECONDS = Math.min(60, Number(process.env.BENCH_STEP_SECONDS ?? 8));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const TICKS_PER_SECOND = 100; // Linux USER_HZ

// Whatever happens, end: steps × (connect + talk + teardown) plus margin.
const watchdog = setTimeout(() => {
  console.error('bench: watchdog fired, aborting');
  process.exit(2);
}, 2 * STEPS.length * 2 * (STEP_SECONDS + 30) * 1000);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const PROBE = `
let late = 0, max = 0, last = performance.now();
const t = setInterval(() => { const now = performance.now(); const lag = now - last - 10; if (lag > 20) late++; if (lag > max) max = lag; last = now; }, 10);
process.on('message', () => { clearInterval(t); process.send({ late, max: Math.round(max) }); process.exit(0); });`;

/** A separate process measuring how late a 10 ms timer fires on this machine right now. */
function startProbe() {
  const child = spawn(process.execPath, ['-e', PROBE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    stop: () =>
      new Promise((resolve) => {
        const kill = setTimeout(() => {
          child.kill('SIGKILL');
          resolve({ late: -1, max: -1 });
        }, 3000);
        child.once('message', (m) => {
          clearTimeout(kill);
          resolve(m);
        });
        child.send('stop');
      }),
  };
}

function cpuTimes() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = f.map(Number);
  return { idle: (n[3] ?? 0) + (n[4] ?? 0), total: n.reduce((a, b) => a + b, 0) };
}

/** Waits (at most 10 s) until the machine's CPUs are at least 75 % idle over one second; returns that share. */
async function waitForQuietMachine() {
  let idle = 0;
  for (let i = 0; i < 10; i++) {
    const a = cpuTimes();
    await sleep(1000);
    const b = cpuTimes();
    idle = (b.idle - a.idle) / Math.max(1, b.total - a.total);
    if (idle >= 0.75) break;
  }
  return Math.round(idle * 100);
}

function rtAvailable() {
  try {
    return process.getuid?.() === 0 && readFileSync('/usr/bin/chrt').length > 0;
  } catch {
    return false;
  }
}

function startSimProcess(priority, mode) {
  return new Promise((resolve, reject) => {
    const command = priority === 'rt' ? 'chrt' : process.execPath;
    const prefix = priority === 'rt' ? ['-r', '10', process.execPath] : [];
    const child = spawn(command, [...prefix,...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), CLI, '--port', '0', '--log-level', 'error', '--rtc-hosts', mode], { stdio: ['ignore', 'pipe', process.env.BENCH_NODE_FLAGS ? 'pipe' : 'inherit'] });
    const timer = setTimeout(() => reject(new Error('sim did not start')), 10_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.once('exit', (code) => reject(new Error(`sim exited early (${code})`)));
  });
}

function stopSimProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

/** CPU seconds of a process and of each of its children (the sim's rtc hosts), by pid. */
function treeCpuSeconds(pid) {
  const pids = [pid];
  try {
    pids.push(...execFileSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number));
  } catch {
    // No child.
  }
  const out = new Map();
  for (const p of pids) {
    try {
      out.set(p, cpuSeconds(p));
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

/** CPU seconds spent by the tree between two {@link treeCpuSeconds} readings. */
function treeCpuDelta(before, after) {
  let sum = 0;
  for (const [p, s] of after) sum += s - (before.get(p) ?? 0);
  return sum;
}

async function health(url) {
  return (await fetch(`${url}/health`)).json();
}

const voice = synthesizeVoice('hello there my friend'); // about 1.4 s
/** Clients that also decode and measure what they hear (the rest only send and receive RTP). */
const LISTENERS = 5;

async function runStep(n, priority, mode) {
  const idleBefore = await waitForQuietMachine();
  const { child, url } = await startSimProcess(priority, mode);
  const clock = new AudioClock();
  const clients = [];
  const connectMs = [];
  const timers = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      clients.push(await connectTestClient(url, { clock, listen: i < LISTENERS }));
      connectMs.push(performance.now() - t0);
    }
    const before = await health(url);
    const probe = startProbe();
    const cpuBefore = treeCpuSeconds(child.pid);
    const ownBefore = cpuSeconds(process.pid);
    const t0 = performance.now();
    clients.forEach((client, i) => {
      const offset = Math.round((i * 3000) / n);
      for (let t = offset; t < STEP_SECONDS * 1000 - 3000; t += 3000) {
        timers.push(setTimeout(() => client.speak(voice), t));
      }
    });
    await sleep(STEP_SECONDS * 1000);
    const wall = (performance.now() - t0) / 1000;
    const after = await health(url);
    const cpu = treeCpuDelta(cpuBefore, treeCpuSeconds(child.pid)) / wall;
    const clientCpu = (cpuSeconds(process.pid) - ownBefore) / wall;
    const probed = await probe.stop();
    const responses = clients.map((c) => c.ofType('response.done').length);
    const heard = clients.slice(0, LISTENERS).map((c) => c.peakLevel());
    const frames = after.audio.frames - before.audio.frames;
    const late = after.audio.lateFrames - before.audio.lateFrames;
    const sorted = [...connectMs].sort((a, b) => a - b);
    return {
      n,
      // Sustained means: no late frame while the N sessions talk. Frames made late while the
      // peers were being connected (wrtc's setup calls block the event loop) are reported apart.
      ok: late === 0 && responses.every((r) => r >= 1) && heard.every((l) => l > 0.05),
      framesPerSecond: Math.round(frames / wall),
      expectedFramesPerSecond: n * 100,
      lateFrames: after.audio.lateFrames,
      lateFramesSteady: late,
      p99LatenessMs: after.audio.p99LatenessMs,
      maxLatenessMs: after.audio.maxLatenessMs,
      simCpuCores: Math.round(cpu * 100) / 100,
      clientCpuCores: Math.round(clientCpu * 100) / 100,
      clientsWithResponse: responses.filter((r) => r >= 1).length,
      clientsHearingParrot: heard.filter((l) => l > 0.05).length,
      connectMedianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
      connectMaxMs: Math.round(sorted.at(-1) ?? 0),
      clientClockLate: clock.stats().lateFrames,
      probeLate: probed.late,
      probeMaxMs: probed.max,
      idleBefore,
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const c of clients) c.close();
    clock.close();
    await stopSimProcess(child);
  }
}

const steps = [];

async function ramp(priority, mode) {
  console.log(`-- sim priority: ${priority}, rtc hosts: ${mode}`);
  let best = 0;
  for (const n of STEPS) {
    let r;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        r = await runStep(n, priority, mode);
      } catch (error) {
        // A step that cannot even connect its clients fails; the ramp stops there.
        console.log(`${mode.padEnd(7)} N=${String(n).padStart(3)} FAIL  ${error instanceof Error ? error.message : String(error)}`);
        r = { n, ok: false, error: error instanceof Error ? error.message : String(error) };
        break;
      }
      const contended = !r.ok && r.probeLate > 0;
      console.log(
        `${mode.padEnd(7)} N=${String(r.n).padStart(3)} ${r.ok ? 'PASS' : 'FAIL'}  frames/s ${r.framesPerSecond}/${r.expectedFramesPerSecond}  late during talk ${r.lateFramesSteady} (while connecting ${r.lateFrames - r.lateFramesSteady})  ` +
          `p99 ${r.p99LatenessMs} ms  max ${r.maxLatenessMs} ms  CPU: sim ${r.simCpuCores} + clients ${r.clientCpuCores} cores  responses ${r.clientsWithResponse}/${r.n}  ` +
          `heard ${r.clientsHearingParrot}/${Math.min(r.n, LISTENERS)} listeners  connect median ${r.connectMedianMs} ms (max ${r.connectMaxMs})  ` +
          `machine: ${r.idleBefore}% idle before, probe late ${r.probeLate} (max ${r.probeMaxMs} ms), client clock late ${r.clientClockLate}` +
          (contended && attempt < 2 ? '  -> machine-wide stall seen by the probe too, retrying' : ''),
      );
      if (r.ok || !contended) break;
      await sleep(1000);
    }
    steps.push({ priority, mode, ...r });
    if (!r.ok) break;
    best = n;
    await sleep(500);
  }
  return best;
}

async function main() {
  const priorities = (process.env.BENCH_PRIORITIES ?? 'normal,rt').split(',').filter((p) => p === 'normal' || (p === 'rt' && rtAvailable()));
  console.log(`rtvoice-sim concurrency bench: steps ${STEPS.join(', ')}, ${STEP_SECONDS} s each, late = > 20 ms after due`);
  const modes = (process.env.BENCH_RTC_HOSTS ?? 'process,inline').split(',').filter((m) => m === 'process' || m === 'inline');
  const results = [];
  const best = {};
  for (const priority of priorities) {
    for (const mode of modes) {
      const key = `${mode}, ${priority} priority`;
      best[key] = await ramp(priority, mode);
      results.push(`${best[key]} with rtc hosts ${mode} at ${priority} priority`);
    }
  }
  console.log(`RESULT: concurrent sessions sustained with audio both ways and no late frames while talking (largest passing step): ${results.join(', ')}`);
  // For bench/run.mjs.
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ stepSeconds: STEP_SECONDS, best, steps }, null, 2));
  clearTimeout(watchdog);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
