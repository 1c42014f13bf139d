import { spawn, type ChildProcess } from 'node:child_process';

/** A server started as a child process, and how to stop it. */
export interface ChildServer {
  /** The URL the server printed. */
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Runs `node <script> ...args` and resolves once its output matches `ready`
 * (whose first group is the URL). Fails if it exits or stays silent for 20 s.
 */
export function spawnServer(script: string, args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${script} did not start in 20 s:\n${out}`)), 20_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('exit', (code) => fail(new Error(`${script} exited with ${code}:\n${out}`)));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        // A server that dies later says so in its output (a crash shows as its signal).
        child.on('exit', (code, signal) => (out += `\n[exited: ${signal ?? `code ${code}`}]\n`));
        resolve({ url: match[1]!, output: () => out, stop: () => stop(child) });
      }
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
