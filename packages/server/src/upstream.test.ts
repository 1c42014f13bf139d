import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mintClientSecret, type MintRequest } from './upstream.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback upstream that kills the first `resets` connections without answering, then mints. */
async function flakyUpstream(resets: number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  server = createServer((req, res) => {
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
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1/realtime/client_secrets`, hits: () => hits };
}

const request = (url: string): MintRequest => ({
  url,
  apiKey: undefined,
  session: { type: 'realtime' },
  ttlSeconds: 60,
  safetyIdentifier: undefined,
  timeoutMs: 5000,
  signal: undefined,
  fetch: globalThis.fetch,
});

describe('mintClientSecret on a connection the upstream drops', () => {
  it('retries once when the connection is reset before any response', async () => {
    const upstream = await flakyUpstream(1);
    const { secret } = await mintClientSecret(request(upstream.url));
    expect(secret.value).toBe('ek_fresh');
    expect(upstream.hits()).toBe(2);
  });

  it('gives up after the one retry with upstream_unreachable', async () => {
    const upstream = await flakyUpstream(5);
    await expect(mintClientSecret(request(upstream.url))).rejects.toMatchObject({ code: 'upstream_unreachable' });
    expect(upstream.hits()).toBe(2);
  });
});
