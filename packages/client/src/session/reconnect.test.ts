// @vitest-environment happy-dom
/*
 * Automatic reconnection after a drop: the state sequence, a fresh token and
 * transport per attempt, the conversation replayed with its item ids, the
 * backoff, giving up with reconnect_failed, and disconnect() meanwhile.
 */
import { describe, expect, it, vi } from 'vitest';
import { CALLS_URL, createSession, deferred, flush, record, until, useFakeMicAndTimers } from '../../test/harness.js';
import { RtvoiceError } from '../errors.js';
import type { VoiceSessionOptions } from '../options.js';
import type { FakeTransportOptions } from '../testing/fake-transport.js';

const micOf = useFakeMicAndTimers();

const networkDown = () => ({ failWith: new RtvoiceError('network_error', 'unreachable') });

async function live(options: Partial<VoiceSessionOptions> = {}, nextTransports: FakeTransportOptions[] = []) {
  const h = createSession({ reconnect: { maxAttempts: 3, backoffMs: 500 }, ...options }, { nextTransports: [{}, ...nextTransports] });
  let n = 0;
  h.getToken.mockImplementation(async () => ({ value: `ek_${(n += 1)}`, callsUrl: CALLS_URL }));
  await h.session.connect();
  return Object.assign(h, { metrics: record(h.session, 'metrics') });
}

/** The connection drops; after the 500 ms backoff, the session is connected again. */
async function dropAndReconnect(h: Awaited<ReturnType<typeof live>>): Promise<void> {
  h.fake.drop();
  await vi.advanceTimersByTimeAsync(500);
  await until(() => h.session.state === 'connected');
}

describe('after a drop', () => {
  it('goes reconnecting → connected with a fresh token and a new transport, keeping the microphone', async () => {
    const h = await live();
    const first = h.fake;
    first.drop();
    expect(h.sequence()).toEqual(['connecting', 'connected', 'reconnecting']);
    expect(h.states[2]).toEqual({ state: 'reconnecting', previous: 'connected', reason: expect.objectContaining({ code: 'data_channel_closed' }) });
    expect(first.closeCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(499);
    expect(h.factory).toHaveBeenCalledTimes(1);
    expect(h.getToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => h.session.state === 'connected');
    expect(h.sequence()).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(h.states[3]).toEqual({ state: 'connected', previous: 'reconnecting' });
    expect(h.getToken).toHaveBeenCalledTimes(2);
    expect(h.factory).toHaveBeenCalledTimes(2);
    expect(h.fake).not.toBe(first);
    expect(h.fake.connectParams).toEqual({ callsUrl: CALLS_URL, ephemeralKey: 'ek_2', mic: micOf().tracks[0], request: {} });
    expect(micOf().getUserMedia).toHaveBeenCalledOnce();
    expect(micOf().tracks[0]!.readyState).toBe('live');
    expect(h.metrics).toEqual([expect.objectContaining({ kind: 'connect', reconnect: true, prepared: 'none', micMs: 0 })]);
    expect(h.session.metrics.connect).toBe(h.metrics[0]);
    expect(h.errors).toEqual([]);
  });

  it('replays the conversation in order with its item ids, and the session configuration', async () => {
    const h = await live({ tools: [{ name: 'lookup', execute: () => 'found' }] });
    h.session.updateSession({ instructions: 'Be brief.' });
    h.session.sendText('Find my order.');
    // The server keeps the id rtvoice gave the typed message.
    const typedId = (h.fake.sentOfType('conversation.item.create')[0]!.item as { id: string }).id;
    h.fake.receive({ type: 'conversation.item.added', previous_item_id: null, item: { id: typedId, type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Find my order.' }] } });
    h.fake.toolCall('lookup', { id: 7 }, 'call_1');
    await flush();
    h.fake.assistantTurn('It ships today.');
    h.fake.userTurn(null); // speech without a transcript: nothing to replay
    const [user, call, answer] = h.session.history;
    await dropAndReconnect(h);
    expect(h.fake.sent).toEqual([
      {
        type: 'session.update',
        session: { type: 'realtime', instructions: 'Be brief.', tools: [{ type: 'function', name: 'lookup', description: '', parameters: { type: 'object', properties: {} } }] },
      },
      { type: 'conversation.item.create', item: { id: user!.id, type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Find my order.' }] } },
      { type: 'conversation.item.create', item: { id: call!.id, type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"id":7}' } },
      { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: 'found' } },
      { type: 'conversation.item.create', item: { id: answer!.id, type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'It ships today.' }] } },
    ]);
    // The server acknowledges the replayed items: the history does not grow.
    const before = h.session.history;
    h.fake.receive({ type: 'conversation.item.added', previous_item_id: null, item: { id: user!.id, type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Find my order.' }] } });
    h.fake.receive({ type: 'conversation.item.added', previous_item_id: call!.id, item: { id: answer!.id, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'It ships today.' }] } });
    expect(h.session.history).toEqual(before);
  });

  it('keeps an answer cut off by the drop as interrupted, with the text that had arrived, and replays that text', async () => {
    const h = await live();
    h.fake.assistantTurn('Well, the weather today is', { complete: false });
    const [answer] = h.session.history;
    expect(answer).toMatchObject({ role: 'assistant', status: 'in_progress' });
    h.fake.drop();
    expect(h.session.history).toEqual([{ ...answer, status: 'incomplete', interrupted: true }]);
    await vi.advanceTimersByTimeAsync(500);
    await until(() => h.session.state === 'connected');
    expect(h.fake.sent).toEqual([
      { type: 'conversation.item.create', item: { id: answer!.id, type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Well, the weather today is' }] } },
    ]);
    expect(h.session.speaking).toBe('none');
  });

  it('sends again a message typed just before the drop that the server never acknowledged, then the response request that was waiting', async () => {
    const h = await live();
    h.fake.assistantTurn('Still talking', { complete: false });
    h.session.sendText('And another thing.');
    const typed = h.fake.sentOfType('conversation.item.create')[0]!.item;
    expect(typed).toEqual({ id: expect.stringMatching(/^rtv_item_\d+$/), type: 'message', role: 'user', content: [{ type: 'input_text', text: 'And another thing.' }] });
    expect(h.fake.sentOfType('response.create')).toEqual([]);
    await dropAndReconnect(h);
    expect(h.fake.sent).toEqual([
      { type: 'conversation.item.create', item: expect.objectContaining({ role: 'assistant', content: [{ type: 'output_text', text: 'Still talking' }] }) },
      { type: 'conversation.item.create', item: typed, event_id: (typed as { id: string }).id },
      { type: 'response.create', event_id: expect.stringMatching(/^rtv_response_/) },
    ]);
  });

  it('does not send again a typed message the server refused (its error names the event): the app got the error once', async () => {
    const h = await live();
    h.session.sendText('A message the server refuses.');
    const refused = h.fake.sentOfType('conversation.item.create')[0]!;
    expect(refused.event_id).toBe((refused.item as { id: string }).id);
    h.fake.receive({ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'Invalid item.', param: 'item', event_id: refused.event_id } });
    expect(h.errors.map((e) => e.code)).toEqual(['server_error']);
    await dropAndReconnect(h);
    expect(h.fake.sentOfType('conversation.item.create')).toEqual([]);
  });

  it('asks again for a response that was requested but never started when the connection died (typed into a dead network)', async () => {
    const h = await live();
    h.session.sendText('Are you there?');
    expect(h.fake.sentOfType('response.create')).toHaveLength(1);
    // Neither the item nor the response.create ever reached the server.
    await dropAndReconnect(h);
    expect(h.fake.sent).toEqual([
      { type: 'conversation.item.create', item: expect.objectContaining({ content: [{ type: 'input_text', text: 'Are you there?' }] }), event_id: expect.stringMatching(/^rtv_item_/) },
      { type: 'response.create', event_id: expect.stringMatching(/^rtv_response_/) },
    ]);
  });

  it('does not ask again for an answer that had started (it stays cut off, as heard)', async () => {
    const h = await live();
    h.session.sendText('Tell me a story.');
    h.fake.assistantTurn('Once upon', { complete: false });
    await dropAndReconnect(h);
    expect(h.fake.sentOfType('response.create')).toEqual([]);
  });

  it('does not send again a typed message the server acknowledged (it is replayed once, from the history)', async () => {
    const h = await live();
    h.session.sendText('Hello.');
    const typed = h.fake.sentOfType('conversation.item.create')[0]!.item as { id: string };
    h.fake.receive({ type: 'conversation.item.added', previous_item_id: null, item: { ...typed, status: 'completed' } });
    await dropAndReconnect(h);
    expect(h.fake.sentOfType('conversation.item.create').map((e) => e.item)).toEqual([typed]);
  });

  it('replays the output of a tool that finished while reconnecting, then asks for the answer', async () => {
    const result = deferred<unknown>();
    const h = await live({ tools: [{ name: 'slow', execute: () => result.promise }], toolAck: false });
    const first = h.fake;
    const callId = first.toolCall('slow');
    first.drop();
    result.resolve('done');
    await flush();
    expect(first.sentOfType('conversation.item.create')).toEqual([]);
    expect(h.session.history[0]).toMatchObject({ callId, output: 'done', status: 'completed' });
    await vi.advanceTimersByTimeAsync(500);
    await until(() => h.session.state === 'connected');
    expect(h.fake.sent.slice(1)).toEqual([
      { type: 'conversation.item.create', item: { id: expect.any(String), type: 'function_call', call_id: callId, name: 'slow', arguments: '{}' } },
      { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: 'done' } },
      { type: 'response.create', event_id: expect.stringMatching(/^rtv_response_/) },
    ]);
  });

  it('keeps summing usage across the reconnection', async () => {
    const h = await live();
    h.fake.assistantTurn('Before.');
    await dropAndReconnect(h);
    h.fake.assistantTurn('After.');
    expect(h.session.usage).toMatchObject({ responses: 2, total_tokens: 600 });
  });

  it('lets connect() during reconnecting wait for the reconnection', async () => {
    const h = await live();
    h.fake.drop();
    let resolved = false;
    const waiting = h.session.connect().then(() => (resolved = true));
    await flush();
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    await waiting;
    expect(h.session.state).toBe('connected');
    expect(h.factory).toHaveBeenCalledTimes(2);
  });
});

describe('giving up', () => {
  it('fails with reconnect_failed after maxAttempts, waiting 500, 1000 then 2000 ms, and releases the microphone', async () => {
    const h = await live({}, [networkDown(), networkDown(), networkDown()]);
    h.fake.drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(h.factory).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(h.factory).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.factory).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1999);
    expect(h.factory).toHaveBeenCalledTimes(3);
    expect(h.session.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1);
    await until(() => h.session.state === 'failed');
    expect(h.factory).toHaveBeenCalledTimes(4);
    expect(h.sequence()).toEqual(['connecting', 'connected', 'reconnecting', 'failed']);
    const reason = h.states[3]!.reason!;
    expect(reason).toMatchObject({ code: 'reconnect_failed', cause: expect.objectContaining({ code: 'network_error' }) });
    expect(h.errors).toEqual([reason]);
    expect(micOf().tracks[0]!.readyState).toBe('ended');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.factory).toHaveBeenCalledTimes(4);
  });

  it('stops at a refusal that retrying cannot change (the call endpoint ended the call for a limit): failed, typed, one attempt', async () => {
    const refused = new RtvoiceError('sdp_rejected', 'SDP offer refused (409): The last call was ended by the server (max_duration).', { status: 409 });
    const h = await live({}, [{ failWith: refused }, {}]);
    h.fake.drop();
    await vi.advanceTimersByTimeAsync(500);
    await until(() => h.session.state === 'failed');
    expect(h.factory).toHaveBeenCalledTimes(2);
    const reason = h.states.at(-1)!.reason!;
    expect(reason).toMatchObject({ code: 'reconnect_failed', cause: expect.objectContaining({ code: 'sdp_rejected', status: 409, retryable: false }) });
    expect(h.errors).toEqual([reason]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.factory).toHaveBeenCalledTimes(2);
  });

  it('does not reconnect forever a connection that drops right after each reconnection', async () => {
    const h = await live({}, [{}, {}, {}]);
    for (let drop = 1; drop <= 3; drop += 1) {
      h.fake.drop();
      await vi.advanceTimersByTimeAsync(500);
      await until(() => h.session.state === 'connected');
    }
    // A fourth drop within the minute is one more than maxAttempts: give up.
    h.fake.drop();
    expect(h.session.state).toBe('failed');
    expect(h.states.at(-1)!.reason).toMatchObject({ code: 'reconnect_failed', cause: expect.objectContaining({ code: 'data_channel_closed' }) });
    expect(h.factory).toHaveBeenCalledTimes(4);
    expect(micOf().tracks[0]!.readyState).toBe('ended');
  });

  it('forgets drops older than a minute', async () => {
    const h = await live({}, [{}, {}, {}, {}]);
    for (let drop = 1; drop <= 4; drop += 1) {
      h.fake.drop();
      await vi.advanceTimersByTimeAsync(500);
      await until(() => h.session.state === 'connected');
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(h.session.state).toBe('connected');
    expect(h.factory).toHaveBeenCalledTimes(5);
  });

  it('moves on to the next attempt at once when an attempt drops before session.created', async () => {
    const h = await live({}, [{ autoSessionCreated: false }, {}]);
    h.fake.drop();
    await vi.advanceTimersByTimeAsync(500);
    await until(() => h.factory.mock.calls.length === 2 && h.fake.state === 'open');
    h.fake.drop(); // the attempt's connection closes before the server said session.created
    await vi.advanceTimersByTimeAsync(1000); // the second backoff, far below connectTimeoutMs
    await until(() => h.session.state === 'connected');
    expect(h.factory).toHaveBeenCalledTimes(3);
    expect(h.errors).toEqual([]);
  });

  it('counts a failed token fetch as a failed attempt and goes on', async () => {
    const h = await live();
    h.getToken.mockImplementationOnce(async () => {
      throw new RtvoiceError('token_fetch_failed', 'down');
    });
    h.fake.drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(h.session.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => h.session.state === 'connected');
    expect(h.factory).toHaveBeenCalledTimes(2);
    expect(h.errors).toEqual([]);
  });

  it('with reconnect: false, fails at once with the drop’s reason', async () => {
    const h = await live({ reconnect: false });
    h.fake.drop(new RtvoiceError('ice_failed', 'ICE failed.'));
    expect(h.sequence()).toEqual(['connecting', 'connected', 'failed']);
    expect(h.states[2]!.reason?.code).toBe('ice_failed');
    expect(h.errors.map((e) => e.code)).toEqual(['ice_failed']);
    expect(micOf().tracks[0]!.readyState).toBe('ended');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.factory).toHaveBeenCalledOnce();
  });
});

describe('failing while reconnecting', () => {
  it('stops reconnecting when the microphone ends meanwhile: failed with mic_failed, nothing left open', async () => {
    const h = await live({}, [{ manualOpen: true }]);
    h.fake.drop();
    await vi.advanceTimersByTimeAsync(500);
    await until(() => h.transports.length === 2);
    const attempt = h.fake;
    micOf().tracks[0]!.endBySource();
    expect(h.sequence()).toEqual(['connecting', 'connected', 'reconnecting', 'failed']);
    expect(h.errors.map((e) => e.code)).toEqual(['mic_failed']);
    attempt.open(); // the attempt's transport would have connected
    await flush();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.session.state).toBe('failed');
    expect(h.sequence()).toHaveLength(4);
    expect(attempt.state).toBe('closed');
    expect(h.factory).toHaveBeenCalledTimes(2);
    expect(h.session.audioElement).toBeUndefined();
  });
});

describe('disconnect() while reconnecting', () => {
  it('during the backoff: closes, and no attempt follows', async () => {
    const h = await live();
    h.fake.drop();
    await vi.advanceTimersByTimeAsync(200);
    await h.session.disconnect();
    expect(h.sequence()).toEqual(['connecting', 'connected', 'reconnecting', 'closing', 'closed']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.factory).toHaveBeenCalledOnce();
    expect(h.getToken).toHaveBeenCalledOnce();
    expect(h.errors).toEqual([]);
    expect(micOf().tracks[0]!.readyState).toBe('ended');
  });

  it('during an attempt: closes its transport, and a later connect() works', async () => {
    const h = await live({}, [{ manualOpen: true }]);
    h.fake.drop();
    await vi.advanceTimersByTimeAsync(500);
    await until(() => h.transports.length === 2);
    const attempt = h.fake;
    await h.session.disconnect();
    await flush();
    expect(attempt.closeCalls).toBeGreaterThanOrEqual(1);
    expect(attempt.state).toBe('closed');
    expect(h.sequence()).toEqual(['connecting', 'connected', 'reconnecting', 'closing', 'closed']);
    await h.session.connect();
    expect(h.sequence()).toEqual(['connecting', 'connected', 'reconnecting', 'closing', 'closed', 'connecting', 'connected']);
    expect(h.errors).toEqual([]);
  });
});
