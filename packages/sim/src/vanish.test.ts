import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type SimServer } from './sim-server.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const CLIENT = fileURLToPath(new URL('./test-support/vanishing-client.cjs', import.meta.url));

describe('a browser that vanishes', () => {
  it('is noticed through ICE and its session is cleaned up', async () => {
    const reasons: string[] = [];
    const logger = {
      debug() {},
      warn() {},
      error() {},
      info(message: string, fields?: Record<string, unknown>) {
        if (message === 'session closed') reasons.push(String(fields?.reason));
      },
    };
    sim = await startSim({ disconnectGraceMs: 500, logger });
    const child = spawn(process.execPath, [CLIENT, sim.url], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('..', import.meta.url)) });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('client did not connect')), 10_000);
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('connected')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(sim.stats().sessions).toBe(1);
    child.kill('SIGKILL');
    const t0 = Date.now();
    while (sim.stats().sessions > 0 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 100));
    expect(sim.stats().sessions).toBe(0);
    expect(sim.stats().audio.outputs).toBe(0);
    expect(reasons).toEqual([expect.stringMatching(/^ice_(disconnected|failed)$/)]);
  }, 30_000);
});
