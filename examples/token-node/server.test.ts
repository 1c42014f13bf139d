import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../packages/server/src/testing/fake-upstream.js';
import { startRedis, type RedisChild } from '../../packages/server/src/testing/redis-server.js';
// @ts-expect-error -- plain JavaScript example, no type declarations.
import { startTokenServer } from './server.mjs';

interface Running {
  url: string;
  close: () => Promise<void>;
}

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await upstream.close();
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('examples/token-node', () => {
  it('mints from the configured upstream with the example session, and serves health and 404', async () => {
    const server = (await startTokenServer({ port: 0, env: { RTVOICE_UPSTREAM: upstream.url, LOG: 'silent' } })) as Running;
    try {
      const res = await post(server.url, { voice: 'cedar' }, { origin: server.url });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { value: string; calls_url: string };
      expect(body.value).toMatch(/^ek_/);
      expect(body.calls_url).toBe(`${upstream.url}/realtime/calls`);
      const sent = JSON.parse(upstream.requests.at(-1)!.body) as { session: { audio: { output: { voice: string } } } };
      expect(sent.session.audio.output.voice).toBe('cedar');
      expect((await post(server.url, { model: 'x' })).status).toBe(400);
      expect((await post(server.url, {}, { origin: 'https://elsewhere.test' })).status).toBe(403);
      expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok');
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('honours ALLOWED_ORIGINS and TRUST_PROXY', async () => {
    const server = (await startTokenServer({
      port: 0,
      env: { RTVOICE_UPSTREAM: upstream.url, LOG: 'silent', ALLOWED_ORIGINS: 'https://shop.example', TRUST_PROXY: '1' },
    })) as Running;
    try {
      expect((await post(server.url, {}, { origin: 'https://shop.example' })).status).toBe(200);
      expect((await post(server.url, {}, { origin: server.url })).status).toBe(403);
      const statuses = [];
      for (let i = 0; i < 21; i += 1) statuses.push((await post(server.url, {}, { 'x-forwarded-for': '192.0.2.50' })).status);
      expect(statuses.filter((s) => s === 429)).toHaveLength(1);
      expect((await post(server.url, {}, { 'x-forwarded-for': '192.0.2.51' })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('shares limits through REDIS_URL', async () => {
    const redis: RedisChild = await startRedis();
    const env = { RTVOICE_UPSTREAM: upstream.url, LOG: 'silent', REDIS_URL: redis.url, TRUST_PROXY: '1' };
    const a = (await startTokenServer({ port: 0, env })) as Running;
    const b = (await startTokenServer({ port: 0, env })) as Running;
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => post(i % 2 ? a.url : b.url, {}, { 'x-forwarded-for': '192.0.2.99' })),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(20);
      expect(results.filter((r) => r.status === 429)).toHaveLength(10);
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  });

  it('answers malformed request targets with 400 and keeps serving', async () => {
    const server = (await startTokenServer({ port: 0, env: { RTVOICE_UPSTREAM: upstream.url, LOG: 'silent' } })) as Running;
    try {
      const { port } = new URL(server.url);
      for (const target of ['//', '///', '/\\', '/%E0']) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: target, method: 'GET' }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        });
        expect(status, target).toBe(target === '/%E0' ? 404 : 400);
      }
      expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok');
    } finally {
      await server.close();
    }
  });

  it('against OpenAI, refuses to start without authorize or PUBLIC_ENDPOINT=1', async () => {
    const env = { OPENAI_API_KEY: 'sk-test-not-used', LOG: 'silent' };
    await expect(startTokenServer({ port: 0, env })).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringMatching(/authorize/) });
    for (const options of [{ env: { ...env, PUBLIC_ENDPOINT: '1' } }, { env, authorize: () => true }]) {
      const server = (await startTokenServer({ port: 0, ...options })) as Running;
      await server.close();
    }
  });
});
