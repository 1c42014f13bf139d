/**
 * The rtvoice token endpoint as a fetch-style module: `export default { fetch }`.
 * Runs unchanged on Cloudflare Workers (`wrangler deploy`), Deno (`deno serve`) and Bun
 * (`bun run`), and behind any platform that calls `fetch(request, env?)`.
 *
 * Configuration comes from the platform's environment: the Workers `env` binding, or
 * `process.env` / `Deno.env` elsewhere.
 */
import { createTokenHandler, type TokenHandler, type TokenHandlerOptions } from '@rtvoice/server';

/** The environment variables this worker reads. */
export interface TokenEnv {
  /** The real OpenAI key (a Workers secret: `wrangler secret put OPENAI_API_KEY`). */
  OPENAI_API_KEY?: string;
  /** Base URL of a Realtime-compatible upstream instead of OpenAI (the local simulator). */
  RTVOICE_UPSTREAM?: string;
  /**
   * `1` lets anyone who can reach the worker mint (guarded only by the origin check and the
   * rate limits). Against OpenAI the handler refuses to start without it or an `authorize`
   * hook (add yours in `optionsFor`).
   */
  PUBLIC_ENDPOINT?: string;
  /** Comma-separated origins allowed to mint; default same-origin only. */
  ALLOWED_ORIGINS?: string;
  /** Header carrying the real client IP on this platform, e.g. `cf-connecting-ip` on Workers. */
  CLIENT_IP_HEADER?: string;
  /** Path the endpoint answers on. Default `/api/token`. */
  TOKEN_PATH?: string;
}

const KEYS = ['OPENAI_API_KEY', 'RTVOICE_UPSTREAM', 'PUBLIC_ENDPOINT', 'ALLOWED_ORIGINS', 'CLIENT_IP_HEADER', 'TOKEN_PATH'] as const;

/** Reads the known keys from a Workers env object, `process.env` or `Deno.env`. */
export function readEnv(binding: unknown): TokenEnv {
  const g = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get(name: string): string | undefined } };
  };
  const out: TokenEnv = {};
  for (const key of KEYS) {
    const fromBinding = typeof binding === 'object' && binding !== null ? (binding as Record<string, unknown>)[key] : undefined;
    let value = typeof fromBinding === 'string' ? fromBinding : g.process?.env?.[key];
    if (value === undefined && g.Deno?.env) {
      try {
        value = g.Deno.env.get(key);
      } catch {
        // Deno without --allow-env: treat as unset.
      }
    }
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** Handler options for this deployment. */
export function optionsFor(env: TokenEnv): TokenHandlerOptions {
  return {
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    ...(env.RTVOICE_UPSTREAM ? { upstream: env.RTVOICE_UPSTREAM } : {}),
    // Your login check goes here as authorize: (request) => …; PUBLIC_ENDPOINT=1 opts out of one.
    ...(env.PUBLIC_ENDPOINT === '1' || env.PUBLIC_ENDPOINT === 'true' ? { public: true } : {}),
    ...(env.ALLOWED_ORIGINS ? { allowedOrigins: env.ALLOWED_ORIGINS.split(',').map((o) => o.trim()) } : {}),
    ...(env.CLIENT_IP_HEADER ? { clientIpHeader: env.CLIENT_IP_HEADER } : {}),
    logger: 'json',
    session: { instructions: 'You are a friendly voice assistant. Keep answers short.' },
  };
}

/** The socket address when the runtime passes it (Deno `info.remoteAddr`, Bun `server.requestIP`). */
function peerIp(request: Request, second: unknown): string | undefined {
  if (typeof second !== 'object' || second === null) return undefined;
  const deno = (second as { remoteAddr?: { hostname?: unknown } }).remoteAddr?.hostname;
  if (typeof deno === 'string') return deno;
  const bun = (second as { requestIP?: (r: Request) => { address?: unknown } | null }).requestIP;
  if (typeof bun === 'function') {
    const address = bun.call(second, request)?.address;
    if (typeof address === 'string') return address;
  }
  return undefined;
}

let cached: { signature: string; handler: TokenHandler } | undefined;

/** One handler per isolate (and per configuration), so rate-limit buckets persist between requests. */
function handlerFor(env: TokenEnv): TokenHandler {
  const signature = JSON.stringify(env);
  if (cached?.signature !== signature) cached = { signature, handler: createTokenHandler(optionsFor(env)) };
  return cached.handler;
}

const json = (status: number, code: string, message: string) =>
  new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });

/** The fetch-style module. */
const worker = {
  /** Answers `POST`/`OPTIONS` on the token path, 404 elsewhere. */
  async fetch(request: Request, envOrInfo?: unknown): Promise<Response> {
    const env = readEnv(envOrInfo);
    if (new URL(request.url).pathname !== (env.TOKEN_PATH ?? '/api/token')) return json(404, 'not_found', 'Not found.');
    let handler: TokenHandler;
    try {
      handler = handlerFor(env);
    } catch (error) {
      // A configuration mistake (e.g. no OPENAI_API_KEY): tell the operator's logs, not the browser.
      console.error(JSON.stringify({ event: 'token.config_error', message: (error as Error).message }));
      return json(500, 'internal_error', 'The token endpoint is not configured.');
    }
    const ip = peerIp(request, envOrInfo);
    return handler(request, ip === undefined ? undefined : { clientIp: ip });
  },
};

export default worker;
