// @vitest-environment happy-dom
/*
 * The connect path's races (disconnect() or an AbortSignal while connect() is
 * half way), response sequencing as the app sees it (sendText, createResponse,
 * a refused response.create), and errors nobody listens to.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALLS_URL, createSession, deferred, flush, installMicrophone, until } from '../../test/harness.js';

const CREATE = { type: 'response.create', event_id: expect.stringMatching(/^rtv_response_\d+$/) };
/** The id rtvoice gives a typed message, so that one sent just before a drop can be sent again. */
const TYPED_ID = expect.stringMatching(/^rtv_item_\d+$/);

let mic: ReturnType<typeof installMicrophone>;

beforeEach(() => {
  mic = installMicrophone();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('disconnect() while connect() is pending', () => {
  it('while the transport connects: connect() rejects with aborted, no error event, and a later connect() works', async () => {
    const h = createSession({}, { nextTransports: [{ manualOpen: true }] });
    const pending = h.session.connect();
    await until(() => h.transports.length === 1 && h.fake.connectParams !== undefined);
    const first = h.fake;
    await h.session.disconnect();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(h.sequence()).toEqual(['connecting', 'closing', 'closed']);
    expect(h.errors).toEqual([]);
    expect(first.state).toBe('closed');
    expect(mic.tracks[0]!.readyState).toBe('ended');
    await h.session.connect();
    expect(h.sequence()).toEqual(['connecting', 'closing', 'closed', 'connecting', 'connected']);
    expect(h.fake).not.toBe(first);
    expect(h.session.micTrack).toBe(mic.tracks[1]);
    expect(mic.tracks[1]!.readyState).toBe('live');
  });

  it('followed at once by connect(): the new attempt is not the cancelled one, and it connects', async () => {
    const h = createSession({}, { nextTransports: [{ manualOpen: true }] });
    const pending = h.session.connect();
    await until(() => h.transports[0]?.connectParams !== undefined);
    void h.session.disconnect();
    const again = h.session.connect();
    expect(again).not.toBe(pending);
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await again;
    expect(h.session.state).toBe('connected');
    expect(h.sequence()).toEqual(['connecting', 'closing', 'closed', 'connecting', 'connected']);
    expect(h.session.micTrack?.readyState).toBe('live');
    expect(h.errors).toEqual([]);
  });

  it('while the token is fetched: nothing is connected afterwards', async () => {
    const h = createSession();
    const token = deferred<{ value: string; callsUrl: string }>();
    h.getToken.mockImplementationOnce(() => token.promise);
    const pending = h.session.connect();
    await flush();
    await h.session.disconnect();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    token.resolve({ value: 'ek_late', callsUrl: CALLS_URL });
    await flush();
    // The offer made meanwhile never connected and is closed: no key went anywhere.
    expect(h.transports.every((t) => t.connectParams === undefined && t.state === 'closed')).toBe(true);
    expect(h.session.state).toBe('closed');
    expect(mic.tracks.every((t) => t.readyState === 'ended')).toBe(true);
  });

  it('while a prepared connection attaches the mic: connect() rejects with aborted and the session stays closed', async () => {
    const h = createSession();
    await h.session.prepare({ connect: true });
    const attach = deferred<void>();
    h.fake.setMic = () => attach.promise;
    const metrics: unknown[] = [];
    h.session.on('metrics', (m) => metrics.push(m));
    const pending = h.session.connect();
    await until(() => mic.tracks.length === 1);
    await flush();
    await h.session.disconnect();
    attach.resolve();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await flush();
    expect(h.sequence()).toEqual(['connecting', 'closing', 'closed']);
    expect(h.session.state).toBe('closed');
    expect(metrics).toEqual([]);
    expect(h.session.audioElement).toBeUndefined();
  });
});

describe('a connection that drops before session.created', () => {
  it('fails connect() at once with the drop’s reason instead of waiting for the timeout', async () => {
    vi.useFakeTimers();
    const h = createSession({}, { transport: { autoSessionCreated: false } });
    const pending = h.session.connect();
    const settled = pending.then(
      () => 'resolved',
      (e: { code: string }) => e.code,
    );
    await until(() => h.transports[0]?.state === 'open');
    h.fake.drop();
    await flush();
    expect(await Promise.race([settled, Promise.resolve('pending')])).toBe('data_channel_closed');
    expect(h.sequence()).toEqual(['connecting', 'failed']);
    expect(h.errors.map((e) => e.code)).toEqual(['data_channel_closed']);
    expect(mic.tracks[0]!.readyState).toBe('ended');
  });
});

describe('connect({ signal })', () => {
  it('rejects with aborted and fails quietly when the signal aborts; a later connect() works', async () => {
    const h = createSession({}, { nextTransports: [{ manualOpen: true }] });
    const controller = new AbortController();
    const pending = h.session.connect({ signal: controller.signal });
    await until(() => h.transports.length === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(h.sequence()).toEqual(['connecting', 'failed']);
    expect(h.states[1]!.reason?.code).toBe('aborted');
    expect(h.errors).toEqual([]);
    expect(h.fake.state).toBe('closed');
    await h.session.connect();
    expect(h.session.state).toBe('connected');
  });

  it('has no effect once connected', async () => {
    const h = createSession();
    const controller = new AbortController();
    await h.session.connect({ signal: controller.signal });
    controller.abort();
    await flush();
    expect(h.session.state).toBe('connected');
  });
});

describe('responses', () => {
  it('sendText() sends the message at once and asks for the answer once no response is active', async () => {
    const h = createSession();
    await h.session.connect();
    const answering = h.fake.assistantTurn('I am answering', { complete: false });
    h.fake.sent.length = 0;
    h.session.sendText('one');
    h.session.sendText('two');
    expect(h.fake.sent).toEqual([
      { type: 'conversation.item.create', item: { id: TYPED_ID, type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one' }] }, event_id: TYPED_ID },
      { type: 'conversation.item.create', item: { id: TYPED_ID, type: 'message', role: 'user', content: [{ type: 'input_text', text: 'two' }] }, event_id: TYPED_ID },
    ]);
    h.fake.receive({ type: 'response.done', response: { id: answering, status: 'completed', output: [] } });
    expect(h.fake.sent.slice(2)).toEqual([CREATE]);
  });

  it('createResponse() requests are sent one at a time, each with its overrides', async () => {
    const h = createSession();
    await h.session.connect();
    h.fake.sent.length = 0;
    h.session.createResponse({ instructions: 'first', conversation: 'none' });
    h.session.createResponse({ instructions: 'second' });
    expect(h.fake.sent).toEqual([{ ...CREATE, response: { instructions: 'first', conversation: 'none' } }]);
    h.fake.receive({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
    h.fake.receive({ type: 'response.done', response: { id: 'r1', status: 'completed', output: [] } });
    expect(h.fake.sent).toEqual([
      { ...CREATE, response: { instructions: 'first', conversation: 'none' } },
      { ...CREATE, response: { instructions: 'second' } },
    ]);
  });

  it('re-sends a response.create the server refused because a response was active, after it is done, without an error', async () => {
    const h = createSession();
    await h.session.connect();
    h.fake.sent.length = 0;
    h.session.createResponse();
    const refused = h.fake.sent[0]!.event_id;
    h.fake.receive({ type: 'response.created', response: { id: 'r_vad', status: 'in_progress', output: [] } });
    h.fake.receive({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'conversation_already_has_active_response', message: 'Conversation already has an active response', event_id: refused },
    });
    expect(h.errors).toEqual([]);
    h.fake.receive({ type: 'response.done', response: { id: 'r_vad', status: 'completed', output: [] } });
    expect(h.fake.sent).toEqual([CREATE, CREATE]);
    expect(h.fake.sent[1]!.event_id).not.toBe(refused);
  });

  it('reports a response.create refused for another reason, drops it, and answers later requests', async () => {
    const h = createSession();
    await h.session.connect();
    h.fake.sent.length = 0;
    h.session.createResponse({ max_output_tokens: 99_999 });
    const refused = h.fake.sent[0]!.event_id;
    h.fake.receive({ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'max_output_tokens is too large', param: 'response.max_output_tokens', event_id: refused } });
    expect(h.errors.map((e) => e.code)).toEqual(['server_error']);
    h.session.sendText('hello?');
    expect(h.fake.sent.slice(1)).toEqual([
      { type: 'conversation.item.create', item: { id: TYPED_ID, type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello?' }] }, event_id: TYPED_ID },
      CREATE,
    ]);
  });

  it('needs a connected session for sending', () => {
    const h = createSession();
    for (const call of [() => h.session.sendText('x'), () => h.session.createResponse(), () => h.session.updateSession({}), () => h.session.send({ type: 'x' })]) {
      expect(call).toThrow(expect.objectContaining({ code: 'invalid_state' }));
    }
  });

  it('send() passes a raw client event through', async () => {
    const h = createSession();
    await h.session.connect();
    h.session.send({ type: 'conversation.item.delete', item_id: 'item_1', event_id: 'app_1' });
    expect(h.fake.sent.at(-1)).toEqual({ type: 'conversation.item.delete', item_id: 'item_1', event_id: 'app_1' });
  });
});

describe('errors nobody listens to', () => {
  const sink = () => ({ error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() });

  it('go to the logger (at the default level)', async () => {
    const logger = sink();
    const h = createSession({ logger, logLevel: undefined });
    h.session.removeAllListeners('error');
    await h.session.connect();
    h.fake.receive({ type: 'error', error: { type: 'server_error', code: 'internal', message: 'Something broke' } });
    expect(logger.error).toHaveBeenCalledOnce();
    expect(logger.error.mock.calls[0]![0]).toMatch(/^\[rtvoice\] server_error: .*Something broke/);
  });

  it('are not logged when a listener takes them', async () => {
    const logger = sink();
    const h = createSession({ logger, logLevel: undefined });
    await h.session.connect();
    h.fake.receive({ type: 'error', error: { type: 'server_error', code: 'internal', message: 'Something broke' } });
    expect(h.errors.map((e) => e.code)).toEqual(['server_error']);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('are dropped with logLevel: silent', async () => {
    const logger = sink();
    const h = createSession({ logger, logLevel: 'silent' });
    h.session.removeAllListeners('error');
    await h.session.connect();
    h.fake.receive({ type: 'error', error: { type: 'server_error', message: 'Something broke' } });
    h.fake.drop();
    for (const level of ['error', 'warn', 'info', 'debug'] as const) expect(logger[level]).not.toHaveBeenCalled();
  });
});
