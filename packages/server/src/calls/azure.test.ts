/**
 * Azure OpenAI (GA) for server-controlled calls, against a fake provider with Azure's paths:
 * `/openai/v1/realtime/calls` with `api-key`, the deployment as `model`, the sideband and hangup
 * under the same base, and Azure's error shapes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_ANSWER, FAKE_OFFER, startFakeCallsUpstream, type FakeCallsUpstream } from '../testing/fake-calls-upstream.js';
import { createCallHandler } from './call-handler.js';
import { createCallController } from './controller.js';
import type { CallEvent } from './events.js';
import type { CallLogEntry } from './log.js';

const AZURE_KEY = 'azure-canary-key-5d2c8e1f07b94a36';
let upstream: FakeCallsUpstream;
beforeEach(async () => {
  upstream = await startFakeCallsUpstream('/openai/v1');
});
afterEach(async () => {
  await upstream.close();
});

const offer = () => new Request('http://app.test/api/call', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: FAKE_OFFER });

async function until<T>(check: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Azure OpenAI calls', () => {
  it('creates the call, attaches the sideband and hangs up with the api-key header on the /openai/v1 endpoints', async () => {
    const events: CallEvent[] = [];
    const logs: CallLogEntry[] = [];
    const controller = createCallController({
      serverTools: [{ name: 'lookup_order', execute: () => ({ status: 'shipped' }) }],
      onEvent: (e) => events.push(e),
      logger: (e) => logs.push(e),
    });
    const handler = createCallHandler({
      azure: { endpoint: upstream.url.replace('/openai/v1', ''), deployment: 'my-realtime-deployment' },
      apiKey: AZURE_KEY,
      session: { instructions: 'Pinned.' },
      controller,
      logger: (e) => logs.push(e),
    });
    const res = await handler(offer());
    expect(res.status).toBe(201);
    expect(await res.text()).toBe(FAKE_ANSWER);

    const [created] = upstream.requests;
    expect(created).toMatchObject({ method: 'POST', path: '/openai/v1/realtime/calls' });
    expect(created!.headers['api-key']).toBe(AZURE_KEY);
    expect(created!.headers.authorization).toBeUndefined();
    expect(created!.headers['openai-safety-identifier']).toBeUndefined();
    expect(JSON.parse(created!.fields.session!)).toMatchObject({ type: 'realtime', model: 'my-realtime-deployment', instructions: 'Pinned.' });

    const side = await until(() => upstream.sidebands[0], 'the sideband');
    expect(side.url).toBe('/openai/v1/realtime?call_id=rtc_fake_1');
    expect(side.headers['api-key']).toBe(AZURE_KEY);
    expect(side.headers.authorization).toBeUndefined();
    // The pins at once, without tools (the page's own are not known yet).
    const [first] = await until(() => (side.events.length >= 1 ? side.events : undefined), 'the first session.update');
    expect(first).toMatchObject({ type: 'session.update', session: { type: 'realtime', instructions: 'Pinned.', tool_choice: 'auto' } });
    expect(first!.session.tools).toBeUndefined();
    // The page replaces the tools with its own: the server tool comes back, the page's stays.
    const pageTool = { type: 'function', name: 'get_weather' };
    side.socket.send(JSON.stringify({ type: 'session.updated', event_id: 'event_page', session: { instructions: 'Pinned.', tool_choice: 'auto', tools: [pageTool] } }));
    const restore = await until(() => side.events[1], 'the restore');
    expect(restore.session.tools.map((t: { name: string }) => t.name)).toEqual(['lookup_order', 'get_weather']);
    expect(events.map((e) => e.type)).toEqual(['call.started', 'call.session_restored']);

    expect(await controller.hangup('rtc_fake_1')).toBe(true);
    const hangup = upstream.requests.find((r) => r.path.endsWith('/hangup'));
    expect(hangup).toMatchObject({ method: 'POST', path: '/openai/v1/realtime/calls/rtc_fake_1/hangup' });
    expect(hangup!.headers['api-key']).toBe(AZURE_KEY);
    expect(events.at(-1)).toMatchObject({ type: 'call.ended', reason: 'hung_up', model: 'my-realtime-deployment', costUsd: undefined });
    expect(JSON.stringify([logs, events])).not.toContain(AZURE_KEY);
  });

  it("maps Azure's error shapes: {error:{code:\"401\"}} and API Management's {statusCode}", async () => {
    const logs: CallLogEntry[] = [];
    const handler = createCallHandler({ azure: { endpoint: upstream.url, deployment: 'rt' }, apiKey: AZURE_KEY, logger: (e) => logs.push(e) });
    upstream.reply(() => ({
      status: 401,
      body: '{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}',
    }));
    const denied = await handler(offer());
    expect(denied.status).toBe(502);
    expect(await denied.json()).toEqual({ error: { code: 'upstream_error', message: 'The voice service could not start the call.' } });
    upstream.reply(() => ({ status: 429, body: '{"statusCode":429,"message":"Rate limit is exceeded. Try again in 3 seconds."}', headers: { 'retry-after': '3' } }));
    const busy = await handler(offer());
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('3');
    expect(logs.map((l) => [l.upstreamStatus, l.upstreamCode])).toEqual([
      [401, '401'],
      [429, '429'],
    ]);
  });

  it('takes the key from AZURE_OPENAI_API_KEY, pins the deployment as the model, and refuses what Azure GA would refuse', () => {
    const saved = process.env.AZURE_OPENAI_API_KEY;
    delete process.env.AZURE_OPENAI_API_KEY;
    const azure = { endpoint: 'https://contoso.openai.azure.com', deployment: 'rt' };
    try {
      expect(() => createCallHandler({ azure, public: true })).toThrowError(
        expect.objectContaining({ name: 'CallHandlerError', code: 'missing_api_key', message: expect.stringContaining('createCallHandler({ apiKey })') }),
      );
      process.env.AZURE_OPENAI_API_KEY = AZURE_KEY;
      createCallHandler({ azure, public: true });
      // A real provider needs a login check or an explicit public endpoint.
      expect(() => createCallHandler({ azure })).toThrowError(/authorize/);
      expect(() => createCallHandler({ azure: { ...azure, endpoint: 'https://contoso.openai.azure.com/openai/realtime?api-version=2025-04-01-preview' }, public: true })).toThrowError(
        /createCallHandler option "azure.endpoint"/,
      );
      expect(() => createCallHandler({ azure, upstream: upstream.url, public: true })).toThrowError(/either "azure" or "upstream"/);
      expect(() => createCallHandler({ azure, session: { model: 'gpt-realtime' }, public: true })).toThrowError(/deployment name/);
    } finally {
      if (saved === undefined) delete process.env.AZURE_OPENAI_API_KEY;
      else process.env.AZURE_OPENAI_API_KEY = saved;
    }
  });
});
