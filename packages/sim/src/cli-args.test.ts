import { describe, expect, it } from 'vitest';
import { parseCliArgs, usage } from './cli-args.js';

describe('rtvoice-sim command line', () => {
  it('parses port, host, faults and log level', () => {
    expect(parseCliArgs(['--port', '0', '--host', '127.0.0.1', '--fault', 'calls=429*1', '--fault=audio=stop', '--log-level', 'debug'])).toEqual({
      kind: 'run',
      logLevel: 'debug',
      options: { port: 0, host: '127.0.0.1', faults: { http: { calls: { status: 429, times: 1 } }, audio: { stopAfterMs: 0 } } },
    });
  });

  it('defaults to warn-level logs and no options', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'run', options: {}, logLevel: 'warn' });
  });

  it('takes a default scenario and registers scenario files', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/sim-cli-`);
    writeFileSync(`${dir}/mine.json`, JSON.stringify({ name: 'mine', turns: [{ steps: [{ say: 'Hi.' }] }] }));
    writeFileSync(`${dir}/bad.json`, JSON.stringify({ name: 'bad', turns: [] }));
    try {
      const parsed = parseCliArgs(['--scenario', 'greeting', '--scenario-file', `${dir}/mine.json`]);
      expect(parsed).toMatchObject({ kind: 'run', options: { scenario: 'greeting', scenarios: [{ name: 'mine' }] } });
      expect(parseCliArgs(['--scenario-file', `${dir}/bad.json`])).toMatchObject({ kind: 'error', message: expect.stringContaining('turns') });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('takes a network delay', () => {
    expect(parseCliArgs(['--delay-ms', '40'])).toEqual({ kind: 'run', options: { networkDelayMs: 40 }, logLevel: 'warn' });
    expect(parseCliArgs(['--delay-ms', '-1'])).toMatchObject({ kind: 'error', message: expect.stringContaining('--delay-ms') });
    expect(parseCliArgs(['--delay-ms', '1.5'])).toMatchObject({ kind: 'error' });
    expect(parseCliArgs(['--rtc-hosts', 'inline', '--calls-per-host=2'])).toEqual({ kind: 'run', options: { rtcHosts: 'inline', callsPerHost: 2 }, logLevel: 'warn' });
    expect(parseCliArgs(['--rtc-hosts', 'thread'])).toMatchObject({ kind: 'error', message: expect.stringContaining('--rtc-hosts') });
    expect(parseCliArgs(['--calls-per-host', '0'])).toMatchObject({ kind: 'error', message: expect.stringContaining('--calls-per-host') });
    expect(usage()).toContain('--delay-ms');
  });

  it('reports bad input instead of throwing', () => {
    expect(parseCliArgs(['--port', 'x'])).toMatchObject({ kind: 'error' });
    expect(parseCliArgs(['--fault', 'calls=418'])).toMatchObject({ kind: 'error', message: expect.stringContaining('calls=418') });
    expect(parseCliArgs(['--wat'])).toMatchObject({ kind: 'error', message: 'unknown argument --wat' });
    expect(parseCliArgs(['-h'])).toEqual({ kind: 'help' });
    expect(usage()).toContain('--fault');
  });
});
