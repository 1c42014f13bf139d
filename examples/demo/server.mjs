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
import { badRequest, parseTarget, serveStatic } from './static.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    // The simulator's agent: 'demo' (default: greets, uses the page's tools, a long answer to
    // interrupt), 'parrot', 'greeting', 'tool-call', 'long-answer'. A page may pick another one per
    // call with /api/token?scenario=<name> (the sim only).
    scenario: { type: 'string', default: 'demo' },
  },
});

const useOpenAI = Boolean(process.env.OPENAI_API_KEY);
const sim = useOpenAI ? undefined : await startSim({ port: 0, host: '127.0.0.1', scenario: values.scenario });
// The session is pinned here, on the server: the browser cannot change it.
const session = {
  type: 'realtime',
  model: 'gpt-realtime',
  instructions:
    'You are the rtvoice demo agent, a friendly voice assistant on a demo web page. Keep answers short. ' +
    'Use get_weather when asked about the weather, and set_accent_color when asked to change the colour of the page.',
  audio: {
    input: {
      transcription: { model: 'gpt-4o-mini-transcribe' },
      // A 600 ms pause ends the user's turn: short pauses inside a sentence do not.
      turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 600 },
    },
  },
};
const tokenHandlers = new Map();
/** The token endpoint; on the sim, `?scenario=<name>` picks the agent of that call. */
function tokensFor(scenario) {
  const key = useOpenAI ? '' : scenario;
  if (!tokenHandlers.has(key)) {
    // A local demo: anyone who can reach it may start a call (it binds 127.0.0.1 by default, and
    // the handler refuses other Host names from a browser on this machine: DNS rebinding).
    // A real deployment passes authorize (its login check) instead of public: true.
    const options = useOpenAI ? { session, public: true } : { upstream: `${sim.url}/v1`, session };
    if (key) options.fetch = (input, init) => fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), 'X-Sim-Scenario': key } });
    tokenHandlers.set(key, toNodeListener(createTokenHandler(options)));
  }
  return tokenHandlers.get(key);
}
const here = dirname(fileURLToPath(import.meta.url));
const page = serveStatic(join(here, 'dist'));
const scriptTagPage = serveStatic(join(here, '..', 'script-tag'));
const widgetBundle = serveStatic(join(here, '..', '..', 'packages', 'widget', 'dist'));
// The React example (examples/react, built by scripts/demo.sh), at /react/.
const reactPage = serveStatic(join(here, '..', 'react', 'dist'));
// The script-tag page runs under a strict CSP: only same-origin scripts and styles, and
// connections only to this server and the Realtime endpoint.
const realtimeOrigin = sim ? new URL(sim.url).origin : 'https://api.openai.com';
const strictCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  `connect-src 'self' ${realtimeOrigin}`,
  'media-src blob: mediastream:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const server = createServer((req, res) => {
  const url = parseTarget(req.url);
  if (url === undefined) return badRequest(res);
  const path = url.pathname;
  if (path === '/api/token') {
    const scenario = url.searchParams.get('scenario') ?? '';
    if (scenario && !/^[a-z0-9_-]{1,64}$/.test(scenario)) return void res.writeHead(400).end();
    return tokensFor(scenario)(req, res);
  }
  if (path === '/react') return void res.writeHead(308, { Location: '/react/' }).end();
  if (path.startsWith('/react/')) {
    req.url = path.slice('/react'.length);
    return reactPage(req, res);
  }
  if (path === '/script-tag') return void res.writeHead(308, { Location: '/script-tag/' }).end();
  if (path.startsWith('/script-tag/')) {
    res.setHeader('Content-Security-Policy', strictCsp);
    req.url = path.slice('/script-tag'.length);
    return path.endsWith('.iife.js') ? widgetBundle(req, res) : scriptTagPage(req, res);
  }
  return page(req, res);
});
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  const agent = sim ? `local simulator at ${sim.url}, scenario '${values.scenario}' (no API key needed)` : 'OpenAI Realtime (OPENAI_API_KEY)';
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
