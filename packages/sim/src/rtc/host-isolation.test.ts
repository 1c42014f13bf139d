/**
 * The calls' native WebRTC stack runs in rtc host processes: a crash of the native binding
 * (`rtc=crash_after:<ms>` makes a host die of SIGSEGV, as wrtc does when a browser closes its
 * data channel at the instant the sim sends) ends the calls of that host only. The sim keeps
 * its other calls, its keys and its endpoints, and no host outlives the sim.
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LogFields, SimLogger } from '../logger.js';
import { startSim } from '../sim-server.js';
import { useSimCleanup } from '../test-support/sim-cleanup.js';
import { connectTestClient, type TestClient } from '../testing/rtc-client.js';

const fx = useSimCleanup();

/** The command lines of a process's children. */
function childrenOf(pid: number): Array<{ pid: number; cmd: string }> {
  let out = '';
  try {
    out = execFileSync('ps', ['--ppid', String(pid), '-o', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there is none
  }
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [p, ...cmd] = line.trim().split(/\s+/);
      return { pid: Number(p), cmd: cmd.join(' ') };
    });
}
const hostsOf = (pid: number) => childrenOf(pid).filter((c) => c.cmd.includes('rtc-host.js'));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function recordingLogger(): SimLogger & { lines: Array<{ level: string; message: string; fields?: LogFields }> } {
  const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, ...(fields && { fields }) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A typed turn, answered in full by the parrot. */
async function typedTurn(client: TestClient, text: string): Promise<void> {
  const from = client.events.length;
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  client.send({ type: 'response.create' });
  const done = await client.waitFor('response.done', undefined, 15_000, from);
  expect(done.response.status).toBe('completed');
}

describe('rtc hosts', () => {
  it('a host that crashes ends its own calls only: the other calls, new calls and the endpoints go on', async () => {
    const logger = recordingLogger();
    fx.sim = await startSim({ callsPerHost: 1, disconnectGraceMs: 500, logger });
    const steady = await connectTestClient(fx.sim.url);
    fx.clients.push(steady);
    const doomed = await connectTestClient(fx.sim.url, { headers: { 'x-sim-fault': 'rtc=crash_after:300' } });
    fx.clients.push(doomed);
    expect(fx.sim.stats().sessions).toBe(2);

    await doomed.waitUntil(() => fx.sim?.stats().sessions === 1, 10_000, 'the crashed call to end');
    const died = logger.lines.find((l) => l.message.startsWith('rtc host died'));
    expect(died).toMatchObject({ level: 'warn', fields: { signal: 'SIGSEGV', calls: 1 } });
    expect(logger.lines.find((l) => l.message === 'session closed' && l.fields?.reason === 'rtc_host_crashed')).toBeDefined();

    // The call in the other host did not notice.
    await typedTurn(steady, 'Still there?');
    expect(steady.connectionState).toBe('connected');
    // The sim still mints keys and starts calls.
    const next = await connectTestClient(fx.sim.url);
    fx.clients.push(next);
    await typedTurn(next, 'A new call.');
    expect(fx.sim.stats().sessions).toBe(2);
  }, 40_000);

  it('packs calls callsPerHost to a host, ends emptied hosts, and leaves no host behind when closed', async () => {
    fx.sim = await startSim({ callsPerHost: 2 });
    const clients: TestClient[] = [];
    for (let i = 0; i < 3; i += 1) clients.push(await connectTestClient(fx.sim.url, { noAudio: true }));
    fx.clients.push(...clients);
    // Two hosts for three calls (one of them with room), never one per call.
    expect(fx.sim.stats().rtcHosts).toBe(2);
    expect(hostsOf(process.pid)).toHaveLength(2);
    for (const c of clients) c.close();
    await clients[0]!.waitUntil(() => fx.sim?.stats().sessions === 0, 10_000, 'the calls to end');
    // Emptied, one host is kept for the next call; the other exits.
    await clients[0]!.waitUntil(() => fx.sim?.stats().rtcHosts === 1, 5_000, 'the extra host to exit');
    await fx.sim.close();
    fx.sim = undefined;
    expect(hostsOf(process.pid)).toEqual([]);
  }, 40_000);

  it('hosts exit by themselves when the sim process dies', async () => {
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const sim = spawn(process.execPath, [cli, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        sim.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        sim.once('exit', (code) => reject(new Error(`the sim exited (${code}): ${out}`)));
      });
      const client = await connectTestClient(url, { noAudio: true });
      fx.clients.push(client);
      const hosts = hostsOf(sim.pid!);
      expect(hosts.length).toBeGreaterThan(0);
      sim.kill('SIGKILL');
      await client.waitUntil(() => hosts.every((h) => !alive(h.pid)), 5_000, 'the orphaned hosts to exit');
    } finally {
      sim.kill('SIGKILL');
    }
  }, 30_000);
});
