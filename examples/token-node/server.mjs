#!/usr/bin/env node
/**
 * A production-shaped rtvoice token endpoint on plain node:http.
 *
 *   OPENAI_API_KEY=sk-… PUBLIC_ENDPOINT=1 node server.mjs   # mint real OpenAI keys for anyone who can reach it
 *   RTVOICE_UPSTREAM=http://127.0.0.1:PORT/v1 node server.mjs   # mint from the local simulator
 *
 * Against OpenAI the endpoint needs a decision about who may mint: pass your login check to
 * startTokenServer({ authorize }), or set PUBLIC_ENDPOINT=1 for an open endpoint guarded only
 * by the origin check and the rate limits. With neither, it refuses to start.
 *
 * Environment (all optional except the key for OpenAI):
 *   PORT (8787), HOST (127.0.0.1), OPENAI_API_KEY, RTVOICE_UPSTREAM, PUBLIC_ENDPOINT (1 = anyone may mint),
 *   ALLOWED_ORIGINS (comma-separated; default same-origin only),
 *   TRUST_PROXY (number of reverse proxies in front, default 0),
 *   REDIS_URL (share rate limits between instances), LOG (json | silent, default json).
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createTokenHandler, RedisRateLimitStore } from '@rtvoice/server';
import { toNodeListener } from '@rtvoice/server/node';

/**
 * Builds the handler options from an environment object.
 * @param {Record<string, string | undefined>} env
 * @param {import('@rtvoice/server').RateLimitStore | undefined} store
 * @returns {import('@rtvoice/server').TokenHandlerOptions}
 */
export function optionsFromEnv(env, store) {
  return {
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    ...(env.RTVOICE_UPSTREAM ? { upstream: env.RTVOICE_UPSTREAM } : {}),
    ...(env.PUBLIC_ENDPOINT === '1' || env.PUBLIC_ENDPOINT === 'true' ? { public: true } : {}),
    ...(env.ALLOWED_ORIGINS ? { allowedOrigins: env.ALLOWED_ORIGINS.split(',').map((o) => o.trim()) } : {}),
    trustProxy: Number(env.TRUST_PROXY ?? 0),
    logger: env.LOG === 'silent' ? 'silent' : 'json',
    ttlSeconds: 60,
    session: {
      instructions: 'You are the friendly voice concierge of this site. Keep answers short.',
      audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'auto' } }, output: { voice: 'marin' } },
    },
    allowClientOverrides: ['voice'],
    rateLimit: { ...(store ? { store } : {}), perIp: { burst: 20, perMinute: 10 }, perUser: { burst: 10, perMinute: 5 } },
  };
}

/**
 * Starts the token server. Resolves once listening; `close()` stops it and its Redis client.
 * `authorize` is your login check (see @rtvoice/server's README), e.g. reading a session cookie.
 * @param {{ port?: number, host?: string, env?: Record<string, string | undefined>, authorize?: import('@rtvoice/server').AuthorizeHook }} [options]
 */
export async function startTokenServer({ port = 8787, host = '127.0.0.1', env = process.env, authorize } = {}) {
  let redis;
  if (env.REDIS_URL) {
    const { Redis } = await import('ioredis');
    redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  }
  let handler;
  try {
    handler = createTokenHandler({
      ...optionsFromEnv(env, redis ? new RedisRateLimitStore({ client: redis }) : undefined),
      ...(authorize ? { authorize } : {}),
    });
  } catch (error) {
    await redis?.quit().catch(() => redis?.disconnect());
    throw error;
  }
  const tokens = toNodeListener(handler);
  const server = createServer((req, res) => {
    let path;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      // A malformed target ("//", "/\\"): answer it, never let it end the process.
      return void res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
    }
    if (path === '/api/token') return void tokens(req, res);
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      await redis?.quit().catch(() => redis?.disconnect());
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const running = await startTokenServer({ port: Number(process.env.PORT ?? 8787), host: process.env.HOST ?? '127.0.0.1' });
  console.error(`rtvoice token endpoint: POST ${running.url}/api/token`);
  const stop = () => running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
