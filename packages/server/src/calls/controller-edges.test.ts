/**
 * The controller's edges against a scripted fake provider (no WebRTC): a page that keeps fighting
 * the pins, a sideband that cannot attach or drops, server tools that fail, time out or get bad
 * arguments, and its option checks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_OFFER, startFakeCallsUpstream, type FakeCallsUpstream, type RecordedSideband } from '../testing/fake-calls-upstream.js';
import { createCallHandler } from './call-handler.js';
import { createCallController, type CallControllerOptions } from './controller.js';
import type { CallEvent } from './events.js';

const KEY = 'sk-test-canary-edges-1e5b7a9c3d';
let upstream: FakeCallsUpstream;
let events: CallEvent[];
let stop: (() => Promise<void>) | undefined;
beforeEach(async () => {
  upstream = await startFakeCallsUpstream();
  events = [];
});
afterEach(async () => {
  await stop?.();
  stop = undefined;
  await upstream.close();
});

async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}. Events: ${events.map((e) => e.type).join(', ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A call through the handler, with its sideband on the fake once attached. */
async function call(options: CallControllerOptions, session: Record<string, unknown> = { instructions: 'Pinned.' }): Promise<RecordedSideband | undefined> {
  const controller = createCallController({ ...options, onEvent: (e) => events.push(e) });
  stop = () => controller.close();
  const handler = createCallHandler({ upstream: upstream.url, apiKey: KEY, session, controller });
  const res = await handler(new Request('http://app.test/api/call', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: FAKE_OFFER }));
  expect(res.status).toBe(201);
  if (upstream.sidebandStatus !== undefined) return undefined;
  const side = await until(() => upstream.sidebands[0], 'the sideband');
  await until(() => side.events.length > 0, 'the first session.update');
  return side;
}

const ended = () => until(() => events.find((e): e is Extract<CallEvent, { type: 'call.ended' }> => e.type === 'call.ended'), 'call.ended');
const send = (side: RecordedSideband, event: Record<string, unknown>) => side.socket.send(JSON.stringify(event));

describe('createCallController: edges', () => {
  it('hangs up a page that keeps changing the pins (pin_violations) after maxRestores restores', async () => {
    const side = (await call({ maxRestores: 3 }))!;
    for (let i = 1; i <= 4; i += 1) {
      send(side, { type: 'session.updated', session: { instructions: `page ${i}` } });
      await until(() => events.filter((e) => e.type === 'call.session_restored').length === Math.min(i, 3) || i === 4, `restore ${i}`);
      // The fake acknowledges each restore with the pinned session, as the provider would.
      await until(() => side.events.length > i || i === 4, `update ${i}`);
    }
    expect((await ended()).reason).toBe('pin_violations');
    expect(events.filter((e) => e.type === 'call.session_restored').map((e) => (e as { restores: number }).restores)).toEqual([1, 2, 3]);
    expect(upstream.requests.some((r) => r.path === '/v1/realtime/calls/rtc_fake_1/hangup')).toBe(true);
  });

  it('waits for an in-flight restore instead of sending one per page update', async () => {
    const side = (await call({}))!;
    // Two page updates land before the provider acknowledges the restore: one restore is enough.
    upstream.sidebands[0]!.socket.removeAllListeners('message');
    side.socket.on('message', (data) => side.events.push(JSON.parse(data.toString()) as Record<string, unknown>));
    send(side, { type: 'session.updated', session: { instructions: 'page 1' } });
    send(side, { type: 'session.updated', session: { instructions: 'page 2' } });
    await until(() => side.events.length === 2, 'the restore');
    await new Promise((r) => setTimeout(r, 100));
    expect(side.events).toHaveLength(2);
    // Its acknowledgement holds the pins: nothing more to do.
    send(side, { type: 'session.updated', session: { instructions: 'Pinned.' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(side.events).toHaveLength(2);
    expect(events.filter((e) => e.type === 'call.session_restored')).toHaveLength(1);
  });

  it('hangs up when the sideband cannot attach (sideband_failed), and when it drops (sideband_lost)', async () => {
    upstream.sidebandStatus = 404;
    await call({});
    const failed = await ended();
    expect(failed.reason).toBe('sideband_failed');
    expect(events.find((e) => e.type === 'call.error')).toMatchObject({ code: 'sideband_failed', message: expect.stringContaining('call_id_not_found') });
    expect(upstream.requests.filter((r) => r.path.endsWith('/hangup'))).toHaveLength(1);
    await stop?.();

    upstream.sidebandStatus = undefined;
    events = [];
    const side = (await call({}))!;
    side.socket.terminate();
    expect((await ended()).reason).toBe('sideband_lost');
    expect(upstream.requests.filter((r) => r.path.endsWith('/hangup'))).toHaveLength(2);
  }, 15_000);

  it('answers server tool calls once per call id, with one response.create after the response is done; failures are generic', async () => {
    const side = (await call({
      toolTimeoutMs: 200,
      serverTools: [
        { name: 'ok_tool', execute: (args: { n: number }) => ({ double: args.n * 2 }) },
        { name: 'throwing_tool', execute: () => Promise.reject(new Error('secret detail db=prod')) },
        { name: 'slow_tool', execute: () => new Promise(() => {}) },
      ],
    }))!;
    const fc = (name: string, callId: string, args: string) =>
      send(side, { type: 'response.function_call_arguments.done', response_id: 'resp_1', item_id: `item_${callId}`, call_id: callId, name, arguments: args });
    fc('ok_tool', 'call_1', '{"n":21}');
    fc('ok_tool', 'call_1', '{"n":21}'); // a replay
    fc('throwing_tool', 'call_2', '{}');
    fc('slow_tool', 'call_3', '{}');
    fc('ok_tool', 'call_4', '{not json');
    fc('page_tool', 'call_5', '{}'); // the page's: left alone
    send(side, { type: 'response.done', response: { id: 'resp_1', status: 'completed', usage: null } });
    await until(() => side.events.some((e) => e.type === 'response.create'), 'response.create', 3000);
    const outputs = side.events.filter((e) => e.type === 'conversation.item.create').map((e) => [e.item.call_id, e.item.output]);
    expect(outputs.sort()).toEqual([
      ['call_1', '{"double":42}'],
      ['call_2', '{"error":"throwing_tool failed."}'],
      ['call_3', '{"error":"slow_tool took too long."}'],
      ['call_4', '{"error":"The arguments for ok_tool were not valid JSON."}'],
    ]);
    expect(side.events.filter((e) => e.type === 'response.create')).toHaveLength(1);
    expect(side.events.findIndex((e) => e.type === 'response.create')).toBe(side.events.length - 1);
    const tools = events.filter((e): e is Extract<CallEvent, { type: 'call.tool' }> => e.type === 'call.tool');
    expect(tools.map((e) => [e.toolCallId, e.ok, e.error]).sort()).toEqual([
      ['call_1', true, undefined],
      ['call_2', false, 'tool_failed'],
      ['call_3', false, 'tool_timeout'],
      ['call_4', false, 'invalid_arguments'],
    ]);
    expect(JSON.stringify([side.events, events])).not.toContain('secret detail');
  });

  it('validates its options and the session it is given', () => {
    expect(() => createCallController({ serverTools: [{ name: 'bad name', execute: () => 1 }] })).toThrowError(/serverTools\.0/);
    expect(() => createCallController({ serverTools: [{ name: 'a', execute: () => 1 }, { name: 'a', execute: () => 2 }] })).toThrowError(/declared twice/);
    expect(() => createCallController({ serverTools: [{ name: 'a' } as never] })).toThrowError(/execute/);
    expect(() => createCallController({ maxDurationS: -1 })).toThrowError(/maxDurationS/);
    const pinVoice = createCallController({ pin: ['audio.output.voice', 'output_modalities'] });
    expect(pinVoice.checkSession({ audio: { output: { voice: 'marin' } } })).toMatch(/output_modalities/);
    expect(() => createCallHandler({ upstream: upstream.url, controller: pinVoice })).toThrowError(/output_modalities/);
    expect(createCallController({ pin: ['model'] }).checkSession({ model: 'x' })).toMatch(/cannot change/);
    const costly = createCallController({ maxCostUsd: 1 });
    expect(costly.checkSession({ model: 'my-deployment' })).toMatch(/prices/);
    const priced = createCallController({ maxCostUsd: 1, prices: { 'my-deployment': { textIn: 4, textCachedIn: 0.4, textOut: 16, audioIn: 32, audioCachedIn: 0.4, audioOut: 64 } } });
    expect(priced.checkSession({ model: 'my-deployment' })).toBeUndefined();
  });
});
