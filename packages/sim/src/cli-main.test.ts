import { describe, expect, it } from 'vitest';
import { runCli } from './cli-main.js';

function fakeIo() {
  const io = {
    out: '',
    err: '',
    signal: undefined as ((s: string) => void) | undefined,
    exitCode: undefined as number | undefined,
    exited: undefined as Promise<number> | undefined,
  };
  let resolveExit: (code: number) => void = () => {};
  io.exited = new Promise((r) => {
    resolveExit = r;
  });
  return {
    io,
    cli: {
      stdout: (t: string) => {
        io.out += t;
      },
      stderr: (t: string) => {
        io.err += t;
      },
      onSignal: (h: (s: string) => void) => {
        io.signal = h;
      },
      exit: (code: number) => {
        io.exitCode = code;
        resolveExit(code);
      },
    },
  };
}

describe('rtvoice-sim command', () => {
  it('prints exactly the listening line, serves, and exits 0 on SIGTERM', async () => {
    const { io, cli } = fakeIo();
    await runCli(['--port', '0', '--host', '127.0.0.1', '--log-level', 'silent'], cli);
    expect(io.out).toMatch(/^rtvoice-sim listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = io.out.trim().split(' ').pop() ?? '';
    expect((await fetch(`${url}/health`)).status).toBe(200);
    io.signal?.('SIGTERM');
    expect(await io.exited).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('with --delay-ms, prints the delayed URL first and the direct one after', async () => {
    const { io, cli } = fakeIo();
    await runCli(['--port', '0', '--delay-ms', '5', '--log-level', 'silent'], cli);
    const m = /^rtvoice-sim listening on (http:\/\/127\.0\.0\.1:\d+)\nrtvoice-sim without the network delay: (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(io.out);
    expect(m).not.toBeNull();
    expect(m![1]).not.toBe(m![2]);
    for (const url of [m![1], m![2]]) expect((await fetch(`${url}/health`)).status).toBe(200);
    io.signal?.('SIGTERM');
    expect(await io.exited).toBe(0);
  });

  it('exits 2 on bad flags and 1 on an unknown scenario', async () => {
    const bad = fakeIo();
    await runCli(['--nope'], bad.cli);
    expect(bad.io.exitCode).toBe(2);
    expect(bad.io.err).toContain('unknown argument --nope');
    const unknown = fakeIo();
    await runCli(['--scenario', 'no-such-scenario', '--log-level', 'silent'], unknown.cli);
    expect(unknown.io.exitCode).toBe(1);
    expect(unknown.io.err).toContain('invalid_scenario');
  });
});
