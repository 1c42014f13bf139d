import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../packages/sim/dist/cli.js', import.meta.url));

/** A sim started as its own process (wrtc must not live in the test runner's process). */
export interface SimProcess {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Runs `rtvoice-sim --port 0` with extra CLI flags and waits for its "listening on" line. */
export function startSimProcess(args: string[] = []): Promise<SimProcess> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`sim did not start in 15 s:\n${out}`)), 15_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('exit', (code) => fail(new Error(`sim exited with ${code}:\n${out}`)));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /rtvoice-sim listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ url: match[1]!, output: () => out, stop: () => stop(child) });
      }
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
