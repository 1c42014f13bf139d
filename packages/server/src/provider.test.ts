import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenHandler } from './handler.js';
import type { TokenLogEntry } from './logger.js';
import { resolveProvider } from './provider.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';
import { outcome, tokenRequest } from './testing/requests.js';

let upstream: FakeUpstream;
let endpoint: string;
beforeEach(async () => {
  upstream = await startFakeUpstream();
  endpoint = new URL(upstream.url).origin;
});
afterEach(async () => {
  await upstream.close();
});

function withEnv<T>(name: string, value: string | undefined, run: () => T): T {
  const saved = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return run();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

describe('Azure OpenAI', () => {
  it('mints at /openai/v1/realtime/client_secrets with api-key, the deployment as model, and Azure calls_url', async () => {
    const handler = createTokenHandler({ azure: { endpoint, deployment: 'my-realtime' }, apiKey: 'azure-key-123', authorize: () => true });
    const res = await handler(tokenRequest({}));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      value: expect.stringMatching(/^ek_/),
      expires_at: expect.any(Number),
      calls_url: `${endpoint}/openai/v1/realtime/calls`,
      model: 'my-realtime',
    });
    const sent = upstream.requests[0]!;
    expect(sent.url).toBe('/openai/v1/realtime/client_secrets');
    expect(sent.headers['api-key']).toBe('azure-key-123');
    expect(sent.headers.authorization).toBeUndefined();
    expect(JSON.parse(sent.body)).toMatchObject({ session: { type: 'realtime', model: 'my-realtime' } });
  });

  it('maps Azure’s string-code 401 to 502 upstream_error, the detail in the log', async () => {
    upstream.reply(() => ({
      status: 401,
      body: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } },
    }));
    const logs: TokenLogEntry[] = [];
    const handler = createTokenHandler({ azure: { endpoint, deployment: 'd1' }, apiKey: 'k', authorize: () => true, logger: (e) => void logs.push(e) });
    const res = await handler(tokenRequest({}));
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(JSON.parse(text)).toEqual({ error: { code: 'upstream_error', message: expect.any(String) } });
    expect(text).not.toMatch(/denied|subscription|401/);
    expect(logs[0]).toMatchObject({ code: 'upstream_error', upstreamStatus: 401, upstreamCode: '401', upstreamMessage: expect.stringContaining('Access denied') });
  });

  it('accepts the endpoint with /openai/v1 and reads AZURE_OPENAI_API_KEY (never OPENAI_API_KEY)', () => {
    const provider = withEnv('AZURE_OPENAI_API_KEY', 'from-env', () =>
      resolveProvider({ azure: { endpoint: 'https://r.openai.azure.com/openai/v1/', deployment: 'd' } }),
    );
    expect(provider).toMatchObject({
      kind: 'azure',
      baseUrl: 'https://r.openai.azure.com/openai/v1',
      clientSecretsUrl: 'https://r.openai.azure.com/openai/v1/realtime/client_secrets',
      callsUrl: 'https://r.openai.azure.com/openai/v1/realtime/calls',
      authHeaders: { 'api-key': 'from-env' },
      model: 'd',
      local: false,
    });
    withEnv('AZURE_OPENAI_API_KEY', undefined, () =>
      withEnv('OPENAI_API_KEY', 'sk-openai', () => {
        expect(() => createTokenHandler({ azure: { endpoint: 'https://r.openai.azure.com', deployment: 'd' }, public: true })).toThrowError(
          /AZURE_OPENAI_API_KEY/,
        );
      }),
    );
  });

  it('refuses preview URLs, a second upstream and a conflicting session.model at creation', () => {
    const base = { apiKey: 'k', public: true };
    for (const bad of ['https://r.openai.azure.com/openai/realtime?api-version=2025-04-01-preview', 'https://r.openai.azure.com/openai/deployments/d']) {
      expect(() => createTokenHandler({ ...base, azure: { endpoint: bad, deployment: 'd' } })).toThrowError(/azure\.endpoint.*GA v1/);
    }
    expect(() => createTokenHandler({ ...base, azure: { endpoint: 'https://r.openai.azure.com', deployment: 'd' }, upstream: upstream.url })).toThrowError(
      /either "azure" or "upstream"/,
    );
    expect(() =>
      createTokenHandler({ ...base, azure: { endpoint: 'https://r.openai.azure.com', deployment: 'd' }, session: { model: 'gpt-realtime' } }),
    ).toThrowError(/deployment name/);
    expect(() => createTokenHandler({ ...base, azure: { endpoint: 'https://r.openai.azure.com', deployment: 'd' }, session: { model: 'd' } })).not.toThrow();
  });
});

describe('authorize or public: true for a real upstream', () => {
  it('refuses OpenAI, Azure or any non-loopback upstream with neither, saying how to fix it', () => {
    const real = [
      { apiKey: 'sk-test' },
      { upstream: 'https://gateway.example/v1', apiKey: 'k' },
      { azure: { endpoint: 'https://r.openai.azure.com', deployment: 'd' }, apiKey: 'k' },
    ];
    for (const options of real) {
      let caught: unknown;
      try {
        createTokenHandler(options);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ name: 'TokenHandlerError', code: 'invalid_options' });
      expect(String((caught as Error).message)).toMatch(/authorize: \(request\) =>.*public: true/);
      expect(() => createTokenHandler({ ...options, public: true })).not.toThrow();
      expect(() => createTokenHandler({ ...options, authorize: () => true })).not.toThrow();
    }
  });

  it('keeps working without either on a loopback upstream (the simulator)', async () => {
    const handler = createTokenHandler({ upstream: upstream.url });
    expect(await outcome(await handler(tokenRequest({})))).toEqual([200, undefined]);
  });
});
