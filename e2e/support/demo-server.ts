import { fileURLToPath } from 'node:url';
import { spawnServer, type ChildServer } from './child-server.js';

const SERVER = fileURLToPath(new URL('../../examples/demo/server.mjs', import.meta.url));

/** Starts `examples/demo/server.mjs` (page + token endpoint + sim) on a free loopback port. */
export function startDemoServer(env: Record<string, string> = {}): Promise<ChildServer> {
  return spawnServer(SERVER, ['--port', '0'], /rtvoice demo: (http:\/\/\S+)/, { OPENAI_API_KEY: '', ...env });
}
