import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mintClientSecret, parseProviderError, postUpstream, upstreamStatusError, type MintRequest } from './upstream.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1/realtime/client_secrets`;
}

/** A loopback upstream that reads the whole request, then kills the first `resets` connections without answering. */
async function flakyUpstream(resets: number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const url = await listen((req, res) => {
    hits += 1;
    req.resume();
    req.on('end', () => {
      if (hits <= resets) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value: 'ek_fresh', expires_at: 2_000_000_000, session: { type: 'realtime' } }));
    });
  });
  return { url, hits: () => hits };
}

const request = (url: string, fetchImpl: typeof fetch = globalThis.fetch): MintRequest => ({
  url,
  apiKey: undefined,
  session: { type: 'realtime' },
  ttlSeconds: 60,
  safetyIdentifier: undefined,
  timeoutMs: 5000,
  signal: undefined,
  fetch: fetchImpl,
});

const networkError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

describe('no retry once the request may have been written', () => {
  it('does not resend a mint when the connection is reset after the upstream read the request', async () => {
    const upstream = await flakyUpstream(1);
    await expect(mintClientSecret(request(upstream.url))).rejects.toMatchObject({ code: 'upstream_unreachable', status: 502 });
    expect(upstream.hits()).toBe(1);
  });

  it('retries once only when the connection was refused (nothing was sent)', async () => {
    const upstream = await flakyUpstream(0);
    const calls: string[] = [];
    const refusedOnce: typeof fetch = (input, init) => {
      calls.push('call');
      return calls.length === 1 ? Promise.reject(networkError('ECONNREFUSED')) : globalThis.fetch(input, init);
    };
    const { secret } = await mintClientSecret(request(upstream.url, refusedOnce));
    expect(secret.value).toBe('ek_fresh');
    expect(calls).toHaveLength(2);
    const resetOnce: typeof fetch = (input, init) => {
      calls.push('call');
      return Promise.reject(networkError('ECONNRESET'));
    };
    calls.length = 0;
    await expect(mintClientSecret(request(upstream.url, resetOnce))).rejects.toMatchObject({ code: 'upstream_unreachable' });
    expect(calls).toHaveLength(1);
  });
});

describe('capped upstream body', () => {
  it('stops reading a streamed body past 64 KiB and fails with 502 upstream_invalid_response', async () => {
    let sent = 0;
    const url = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"value":"ek_1","expires_at":1,"session":{"instructions":"`);
      const chunk = 'x'.repeat(16_384);
      const pump = () => {
        // Keep streaming (no content-length) until the reader hangs up.
        while (sent < 10_000_000 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    const error = await mintClientSecret(request(url)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'upstream_invalid_response', status: 502, cause: { causeCode: 'RESPONSE_TOO_LARGE' } });
    expect(sent).toBeLessThan(10_000_000);
  });

  it('refuses a declared Content-Length over the cap without reading it, and honours maxResponseBytes', async () => {
    const url = await listen((req, res) => {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/plain', 'content-length': '200' });
      res.end('e'.repeat(200));
    });
    const post = { url, headers: {}, body: '{}', timeoutMs: 2000, signal: undefined, fetch: globalThis.fetch };
    await expect(postUpstream({ ...post, maxResponseBytes: 100 })).rejects.toMatchObject({ code: 'upstream_invalid_response' });
    await expect(postUpstream(post)).resolves.toMatchObject({ status: 500, text: 'e'.repeat(200) });
  });
});

describe('provider error shapes', () => {
  it('reads OpenAI, Azure and gateway error bodies defensively', () => {
    expect(
      parseProviderError(JSON.stringify({ error: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided: sk-proj-abc***xyz.', param: null } })),
    ).toEqual({ upstreamType: 'invalid_request_error', upstreamCode: 'invalid_api_key', upstreamMessage: 'Incorrect API key provided: [redacted]' });
    expect(
      parseProviderError(JSON.stringify({ error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } })),
    ).toEqual({ upstreamCode: '401', upstreamMessage: 'Access denied due to invalid subscription key or wrong API endpoint.' });
    expect(parseProviderError(JSON.stringify({ error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } }))).toMatchObject({
      upstreamCode: 'DeploymentNotFound',
    });
    expect(parseProviderError(JSON.stringify({ statusCode: 429, message: 'Rate limit is exceeded.' }))).toEqual({
      upstreamCode: '429',
      upstreamMessage: 'Rate limit is exceeded.',
    });
    expect(parseProviderError(JSON.stringify({ error: { code: { nested: 1 }, type: 'has space', message: 42 } }))).toEqual({});
    expect(parseProviderError('<html>502 Bad Gateway</html>')).toEqual({});
    expect(parseProviderError('null')).toEqual({});
  });

  it('maps 401/403/400/5xx to 502 upstream_error and 429/503 to 503 upstream_unavailable, detail in the cause only', () => {
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      upstreamStatusError({ status, headers: new Headers(headers), text: JSON.stringify(body), upstreamMs: 5 });
    for (const status of [400, 401, 403, 404, 500, 502, 307]) {
      const error = answer(status, { error: { code: 'invalid_api_key', message: 'quota key billing' } });
      expect(error).toMatchObject({ code: 'upstream_error', status: 502, cause: { upstreamStatus: status, upstreamCode: 'invalid_api_key' } });
      expect(error.message).not.toMatch(/quota|key|billing|401|403|auth/i);
    }
    const busy = answer(429, { error: { code: '429', message: 'Requests exceeded' } }, { 'retry-after': '9999' });
    expect(busy).toMatchObject({ code: 'upstream_unavailable', status: 503, retryAfterSeconds: 300, cause: { upstreamStatus: 429, upstreamCode: '429' } });
    expect(busy.message).not.toMatch(/quota|rate|429/i);
    expect(answer(503, {})).toMatchObject({ code: 'upstream_unavailable', status: 503, retryAfterSeconds: undefined });
  });
});
