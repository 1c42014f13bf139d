#!/usr/bin/env node
/**
 * The demo: serves the page, mounts the token endpoint at /api/token, and, unless
 * OPENAI_API_KEY is set, starts the local simulator and mints keys from it.
 *
 *   node examples/demo/server.mjs [--port 8787] [--host 127.0.0.1]
 */
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTokenHandler } from '@rtvoice/server';
import { toNodeListener } from '@rtvoice/server/node';
import { startSim } from '@rtvoice/sim';
import { serveStatic } from './static.mjs';

const { values } = parseArgs({
  options: { port: { type: 'string', default: process.env.PORT ?? '8787' }, host: { type: 'string', default: '127.0.0.1' } },
});

const useOpenAI = Boolean(process.env.OPENAI_API_KEY);
const sim = useOpenAI ? undefined : await startSim({ port: 0, host: '127.0.0.1' });
const tokens = toNodeListener(
  createTokenHandler(
    useOpenAI
      ? { session: { type: 'realtime', model: 'gpt-realtime', instructions: 'You are a friendly voice assistant. Keep answers short.' } }
      : { upstream: `${sim.url}/v1` },
  ),
);
const page = serveStatic(join(dirname(fileURLToPath(import.meta.url)), 'dist'));

const server = createServer((req, res) => {
  if (req.url === '/api/token' || req.url?.startsWith('/api/token?')) tokens(req, res);
  else page(req, res);
});
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  const agent = sim ? `local simulator at ${sim.url} (no API key needed)` : 'OpenAI Realtime (OPENAI_API_KEY)';
  console.log(`rtvoice demo: http://${values.host}:${port}/  agent: ${agent}`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections?.();
  server.close();
  await sim?.close();
  // wrtc audio sources crash a process at natural exit: always end explicitly.
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
