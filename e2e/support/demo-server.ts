import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../examples/demo/server.mjs', import.meta.url));

/** A running demo server (page + token endpoint + sim) and how to stop it. */
export interface DemoServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts `examples/demo/server.mjs` on a free loopback port and waits for its URL line. */
export function startDemoServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const child = spawn(process.execPath, [SERVER, '--port', '0'], {
    env: { ...process.env, OPENAI_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`demo server did not start in 20 s:\n${out}`)), 20_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('exit', (code) => fail(new Error(`demo server exited with ${code}:\n${out}`)));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /rtvoice demo: (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ url: match[1]!, stop: () => stopChild(child) });
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
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
