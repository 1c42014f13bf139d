import { fileURLToPath } from 'node:url';
import { spawnServer, type ChildServer } from './child-server.js';

const CLI = fileURLToPath(new URL('../../packages/sim/dist/cli.js', import.meta.url));

/** A sim started as its own process (wrtc must not live in the test runner's process). */
export type SimProcess = ChildServer;

/** Runs `rtvoice-sim --port 0` with extra CLI flags and waits for its "listening on" line. */
export function startSimProcess(args: string[] = []): Promise<SimProcess> {
  return spawnServer(CLI, ['--port', '0', '--host', '127.0.0.1', ...args], /rtvoice-sim listening on (http:\/\/\S+)/);
}
