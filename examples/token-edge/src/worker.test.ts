import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../../packages/server/src/testing/fake-upstream.js';
import worker, { optionsFor, readEnv } from './worker.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await upstream.close();
});

const token = (headers: Record<string, string> = {}, body: unknown = {}, path = '/api/token') =>
  new Request(`https://voice.example${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('examples/token-edge (export default { fetch })', () => {
  it('mints with a Workers-style env binding and answers 404 elsewhere', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const env = { RTVOICE_UPSTREAM: upstream.url, CLIENT_IP_HEADER: 'cf-connecting-ip' };
    const res = await worker.fetch(token({ origin: 'https://voice.example', 'cf-connecting-ip': '203.0.113.9' }), env);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { value: string; calls_url: string; session?: unknown };
    expect(body.value).toMatch(/^ek_/);
    expect(body.calls_url).toBe(`${upstream.url}/realtime/calls`);
    expect(body.session).toBeUndefined();
    const sent = JSON.parse(upstream.requests.at(-1)!.body) as { session: { instructions: string } };
    expect(sent.session.instructions).toContain('friendly voice assistant');
    expect(JSON.parse(String(log.mock.calls.at(-1)![0]))).toMatchObject({ event: 'token.minted', ip: '203.0.113.9' });
    expect((await worker.fetch(token({}, {}, '/other'), env)).status).toBe(404);
    expect((await worker.fetch(token({ origin: 'https://evil.test' }), env)).status).toBe(403);
  });

  it('answers CORS preflight for an allowed origin', async () => {
    const env = { RTVOICE_UPSTREAM: upstream.url, ALLOWED_ORIGINS: 'https://shop.example' };
    const res = await worker.fetch(
      new Request('https://voice.example/api/token', {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
      }),
      env,
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('rate-limits per client IP from the platform header (Retry-After on 429)', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const env = { RTVOICE_UPSTREAM: upstream.url, CLIENT_IP_HEADER: 'cf-connecting-ip', TOKEN_PATH: '/t' };
    const statuses = [];
    for (let i = 0; i < 21; i += 1) statuses.push((await worker.fetch(token({ 'cf-connecting-ip': '198.51.100.7' }, {}, '/t'), env)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    const limited = await worker.fetch(token({ 'cf-connecting-ip': '198.51.100.7' }, {}, '/t'), env);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).not.toBeNull();
  });

  it('uses the Deno/Bun second argument as the socket address', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const saved = process.env.RTVOICE_UPSTREAM;
    process.env.RTVOICE_UPSTREAM = upstream.url;
    try {
      await worker.fetch(token(), { remoteAddr: { hostname: '192.0.2.1', port: 5000, transport: 'tcp' } });
      expect(JSON.parse(String(log.mock.calls.at(-1)![0]))).toMatchObject({ ip: '192.0.2.1' });
      await worker.fetch(token(), { requestIP: () => ({ address: '192.0.2.2', port: 1 }) });
      expect(JSON.parse(String(log.mock.calls.at(-1)![0]))).toMatchObject({ ip: '192.0.2.2' });
    } finally {
      if (saved === undefined) delete process.env.RTVOICE_UPSTREAM;
      else process.env.RTVOICE_UPSTREAM = saved;
    }
  });

  it('hides a configuration error from the browser', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const res = await worker.fetch(token(), {});
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal_error', message: 'The token endpoint is not configured.' } });
      expect(String(error.mock.calls.at(-1)![0])).toContain('OPENAI_API_KEY');
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('against OpenAI, is "not configured" without an authorize hook or PUBLIC_ENDPOINT=1, and mints with it', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await worker.fetch(token(), { OPENAI_API_KEY: 'sk-test-not-used' });
    expect(res.status).toBe(500);
    expect(String(error.mock.calls.at(-1)![0])).toMatch(/authorize.*public: true/);
    expect(optionsFor({ OPENAI_API_KEY: 'sk-test', PUBLIC_ENDPOINT: '1' })).toMatchObject({ public: true });
  });

  it('reads only known string keys from the binding', () => {
    expect(readEnv({ OPENAI_API_KEY: 'sk-x', OTHER: 'y', TOKEN_PATH: 3 })).toMatchObject({ OPENAI_API_KEY: 'sk-x' });
    expect(readEnv({ OTHER: 'y' })).not.toHaveProperty('OTHER');
  });
});
