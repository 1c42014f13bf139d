// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RtvoiceError, isRtvoiceError } from '../errors.js';
import type { ClientEvents, StateChangeEvent, TranscriptEvent } from '../events.js';
import { FakeTransport } from '../testing/fake-transport.js';
import { VoiceSession } from './voice-session.js';

/** A microphone track: stop() ends it silently; endBySource() is the device going away. */
class FakeTrack extends EventTarget {
  readonly kind = 'audio';
  readyState: 'live' | 'ended' = 'live';
  stop(): void {
    this.readyState = 'ended';
  }
  endBySource(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

function fakeTrack(): FakeTrack {
  return new FakeTrack();
}

let micTracks: FakeTrack[] = [];
let getUserMedia: ReturnType<typeof vi.fn>;

beforeEach(() => {
  micTracks = [];
  getUserMedia = vi.fn(async () => {
    const track = fakeTrack();
    micTracks.push(track);
    return { getAudioTracks: () => [track] };
  });
  Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia }, configurable: true });
});

afterEach(() => {
  vi.useRealTimers();
});

function tokenFetch(body: unknown = { value: 'ek_test123', expires_at: 2_000_000_000, calls_url: 'https://sim.test/v1/realtime/calls' }, status = 200) {
  return vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

function record<K extends keyof ClientEvents>(session: VoiceSession, type: K): ClientEvents[K][0][] {
  const seen: ClientEvents[K][0][] = [];
  session.on(type, ((payload: ClientEvents[K][0]) => seen.push(payload)) as never);
  return seen;
}

function setup(options: { fetch?: ReturnType<typeof tokenFetch>; transport?: FakeTransport; connectTimeoutMs?: number; reconnect?: false } = {}) {
  const fake = options.transport ?? new FakeTransport();
  const fetch = options.fetch ?? tokenFetch();
  const factory = vi.fn(() => fake);
  const session = new VoiceSession({
    tokenUrl: '/api/token',
    fetch: fetch as unknown as typeof globalThis.fetch,
    transport: factory,
    ...(options.connectTimeoutMs && { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.reconnect === false && { reconnect: false as const }),
  });
  return { session, fake, fetch, factory, states: record(session, 'stateChange'), errors: record(session, 'error') };
}

const sequence = (states: StateChangeEvent[]) => states.map((s) => s.state);

describe('VoiceSession connect/disconnect', () => {
  it('fetches a token, opens the mic, connects the transport and reports connected after session.created', async () => {
    const { session, fake, fetch, states } = setup();
    const metrics = record(session, 'metrics');
    await session.connect();
    expect(sequence(states)).toEqual(['connecting', 'connected']);
    expect(fetch).toHaveBeenCalledOnce();
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/token');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({});
    expect(fake.connectParams).toMatchObject({ callsUrl: 'https://sim.test/v1/realtime/calls', ephemeralKey: 'ek_test123' });
    expect(fake.connectParams?.mic).toBe(micTracks[0]);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ kind: 'connect', prepared: 'none', reconnect: false, offerMs: 0, sdpMs: 0 });
    expect(session.metrics.connect).toBe(metrics[0]);
    const connect = session.metrics.connect!;
    expect(connect.totalMs).toBeGreaterThanOrEqual(connect.dataChannelOpenMs);
  });

  it('is idempotent while connecting and once connected', async () => {
    const { session, factory } = setup();
    const a = session.connect();
    const b = session.connect();
    expect(b).toBe(a);
    await a;
    await session.connect();
    expect(factory).toHaveBeenCalledOnce();
  });

  it('disconnect stops the mic it opened, closes the transport and detaches from it', async () => {
    const { session, fake, states } = setup();
    const serverEvents = record(session, 'serverEvent');
    await session.connect();
    await session.disconnect();
    expect(sequence(states)).toEqual(['connecting', 'connected', 'closing', 'closed']);
    expect(micTracks[0]!.readyState).toBe('ended');
    expect(fake.closeCalls).toBe(1);
    const before = serverEvents.length;
    fake.receive({ type: 'session.updated', event_id: 'e', session: {} });
    expect(serverEvents).toHaveLength(before);
    await session.disconnect();
    expect(sequence(states)).toHaveLength(4);
  });

  it('never stops a media stream the app passed in', async () => {
    const track = fakeTrack();
    const session = new VoiceSession({
      getToken: async () => 'ek_x',
      mediaStream: { getAudioTracks: () => [track] } as unknown as MediaStream,
      transport: () => new FakeTransport(),
    });
    await session.connect();
    await session.disconnect();
    expect(track.readyState).toBe('live');
    expect(getUserMedia).not.toHaveBeenCalled();
  });

  it('can connect again after disconnect, with a new transport', async () => {
    const { session, factory, states } = setup({ transport: undefined });
    factory.mockImplementation(() => new FakeTransport());
    await session.connect();
    await session.disconnect();
    await session.connect();
    expect(factory).toHaveBeenCalledTimes(2);
    expect(sequence(states)).toEqual(['connecting', 'connected', 'closing', 'closed', 'connecting', 'connected']);
  });

  it("disconnect() resolves only once the transport's release is complete (an audio context closing takes a moment)", async () => {
    let finishClose!: () => void;
    class SlowClose extends FakeTransport {
      override close(): Promise<void> {
        super.close();
        return new Promise<void>((resolve) => (finishClose = resolve));
      }
    }
    const { session } = setup({ transport: new SlowClose() });
    await session.connect();
    let resolved = false;
    const done = session.disconnect().then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(session.state).toBe('closed');
    expect(resolved).toBe(false);
    finishClose();
    await done;
    expect(resolved).toBe(true);
  });

  it('disconnect during connect rejects connect with aborted and releases the mic', async () => {
    const fake = new FakeTransport({ manualOpen: true });
    const { session, states, errors } = setup({ transport: fake });
    const pending = session.connect();
    await vi.waitFor(() => expect(fake.connectParams).toBeDefined());
    await session.disconnect();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(sequence(states)).toEqual(['connecting', 'closing', 'closed']);
    expect(micTracks[0]!.readyState).toBe('ended');
    expect(errors).toEqual([]);
  });

  it('times out with connect_timeout when the server never answers', async () => {
    vi.useFakeTimers();
    const fake = new FakeTransport({ autoSessionCreated: false });
    const { session, states, errors } = setup({ transport: fake, connectTimeoutMs: 3000 });
    const pending = session.connect();
    const assertion = expect(pending).rejects.toMatchObject({ code: 'connect_timeout' });
    await vi.advanceTimersByTimeAsync(3001);
    await assertion;
    expect(sequence(states)).toEqual(['connecting', 'failed']);
    expect(errors.map((e) => e.code)).toEqual(['connect_timeout']);
    expect(fake.closeCalls).toBe(1);
    expect(micTracks[0]!.readyState).toBe('ended');
    expect(errors[0]!.message).toBe('No session after 3000 ms (waiting for session.created).');
  });

  it("a connect timeout's message says what was still pending: the token, the microphone, or the transport's own step", async () => {
    vi.useFakeTimers();
    const timeoutMessage = async (o: { fetch?: ReturnType<typeof tokenFetch>; transport?: FakeTransport }) => {
      const { session } = setup({ ...o, connectTimeoutMs: 3000 });
      const failed = session.connect().catch((e: RtvoiceError) => e);
      await vi.advanceTimersByTimeAsync(3001);
      const error = await failed;
      expect(error).toMatchObject({ code: 'connect_timeout' });
      return (error as RtvoiceError).message;
    };
    const never = () => vi.fn(() => new Promise<Response>(() => undefined));
    expect(await timeoutMessage({ fetch: never() as never })).toBe('No session after 3000 ms (waiting for the token).');
    const micNeverAnswers = () => getUserMedia.mockImplementationOnce(() => new Promise(() => undefined));
    micNeverAnswers();
    expect(await timeoutMessage({ fetch: never() as never })).toBe('No session after 3000 ms (waiting for the token and microphone access).');
    micNeverAnswers();
    expect(await timeoutMessage({})).toBe('No session after 3000 ms (waiting for microphone access).');
    const stuck = new FakeTransport({ manualOpen: true });
    Object.defineProperty(stuck, 'waitingFor', { get: () => (stuck.state === 'connecting' ? 'ICE' : undefined) });
    expect(await timeoutMessage({ transport: stuck })).toBe('No session after 3000 ms (waiting for ICE).');
  });
});

describe('VoiceSession failures', () => {
  it('maps a token endpoint error to token_fetch_failed, stops the mic and emits the error', async () => {
    const fetch = tokenFetch({ error: { code: 'upstream_unavailable', message: 'upstream down' } }, 502);
    const { session, states, errors, fake } = setup({ fetch });
    const err = await session.connect().catch((e: unknown) => e);
    expect(isRtvoiceError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'token_fetch_failed', status: 502, retryable: true });
    expect((err as Error).message).toContain('upstream down');
    expect(sequence(states)).toEqual(['connecting', 'failed']);
    expect(errors).toEqual([err]);
    // The offer made meanwhile never connects, and is closed.
    expect(fake.connectParams).toBeUndefined();
    expect(fake.state).toBe('closed');
    await vi.waitFor(() => expect(micTracks[0]?.readyState).toBe('ended'));
  });

  it('keeps the token endpoint error code in the message and its Retry-After', async () => {
    const fetch = vi.fn(
      async () =>
        new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'Too many keys requested. Try again later.' } }), {
          status: 429,
          headers: { 'Retry-After': '30' },
        }),
    );
    const { session } = setup({ fetch: fetch as never });
    const err = await session.connect().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'token_fetch_failed', status: 429, retryable: true, retryAfterMs: 30_000 });
    expect((err as Error).message).toBe('The token endpoint answered 429 (rate_limited): Too many keys requested. Try again later.');
  });

  it('reports a token endpoint that cannot be reached', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const { session } = setup({ fetch: fetch as never });
    await expect(session.connect()).rejects.toMatchObject({ code: 'token_fetch_failed' });
  });

  it('refuses a token response without a key', async () => {
    const { session } = setup({ fetch: tokenFetch({ expires_at: 1 }) });
    await expect(session.connect()).rejects.toMatchObject({ code: 'token_fetch_failed', retryable: false });
  });

  it('maps a denied microphone to mic_permission_denied', async () => {
    getUserMedia.mockImplementation(async () => {
      throw Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    });
    const { session, states } = setup();
    await expect(session.connect()).rejects.toMatchObject({ code: 'mic_permission_denied' });
    expect(sequence(states)).toEqual(['connecting', 'failed']);
  });

  it('passes transport errors through and can retry afterwards', async () => {
    const { session, factory, states } = setup();
    factory.mockImplementationOnce(() => new FakeTransport({ failWith: new RtvoiceError('sdp_rejected', 'status 400', { status: 400 }) }));
    await expect(session.connect()).rejects.toMatchObject({ code: 'sdp_rejected', status: 400 });
    await session.connect();
    expect(sequence(states)).toEqual(['connecting', 'failed', 'connecting', 'connected']);
    expect(micTracks[0]!.readyState).toBe('ended');
    expect(micTracks[1]!.readyState).toBe('live');
  });

  it('with reconnect: false, moves to failed and releases everything when the connection drops', async () => {
    const { session, fake, states, errors } = setup({ reconnect: false });
    await session.connect();
    fake.drop();
    expect(sequence(states)).toEqual(['connecting', 'connected', 'failed']);
    expect(states[2]!.reason?.code).toBe('data_channel_closed');
    expect(errors.map((e) => e.code)).toEqual(['data_channel_closed']);
    expect(micTracks[0]!.readyState).toBe('ended');
    expect(() => session.send({ type: 'response.create' })).toThrow(/connected session/);
  });

  it('fails with mic_failed when the microphone stops by itself, and not on its own stop()', async () => {
    const { session, errors, states } = setup();
    await session.connect();
    micTracks[0]!.endBySource();
    expect(errors.map((e) => e.code)).toEqual(['mic_failed']);
    expect(sequence(states)).toEqual(['connecting', 'connected', 'failed']);
    expect(states[2]!.reason?.code).toBe('mic_failed');
    await session.disconnect();
    micTracks[0]!.dispatchEvent(new Event('ended'));
    expect(errors).toHaveLength(1);
  });

  it('throws invalid_options before any side effect', () => {
    expect(() => new VoiceSession({} as never)).toThrow(expect.objectContaining({ code: 'invalid_options' }));
    expect(() => new VoiceSession({ tokenUrl: '/t', connectTimeoutMs: -1 })).toThrow(/connectTimeoutMs/);
    expect(getUserMedia).not.toHaveBeenCalled();
  });
});

describe('VoiceSession events', () => {
  it('emits a malformed_event error for a bad frame and keeps going', async () => {
    const { session, fake, errors } = setup();
    const serverEvents = record(session, 'serverEvent');
    await session.connect();
    fake.receive('{not json');
    fake.receive({ type: 'input_audio_buffer.speech_started', item_id: 'item_1' });
    fake.receive({ type: 'input_audio_buffer.speech_started', event_id: 'e1', audio_start_ms: 120, item_id: 'item_1' });
    expect(errors.map((e) => e.code)).toEqual(['malformed_event', 'malformed_event']);
    expect(errors[1]!.message).toContain('audio_start_ms');
    expect(serverEvents.map((e) => e.type)).toEqual(['session.created', 'input_audio_buffer.speech_started']);
    expect(session.state).toBe('connected');
  });

  it('passes unknown well-formed events through serverEvent', async () => {
    const { session, fake, errors } = setup();
    const serverEvents = record(session, 'serverEvent');
    await session.connect();
    fake.receive({ type: 'future.event', event_id: 'e9', payload: { x: 1 } });
    expect(serverEvents.at(-1)).toEqual({ type: 'future.event', event_id: 'e9', payload: { x: 1 } });
    expect(errors).toEqual([]);
  });

  it('assembles assistant transcript deltas and user transcripts', async () => {
    const { session, fake } = setup();
    const transcripts: TranscriptEvent[] = record(session, 'transcript');
    await session.connect();
    fake.receive({ type: 'response.output_audio_transcript.delta', response_id: 'r1', item_id: 'a1', content_index: 0, delta: 'Hel' });
    fake.receive({ type: 'response.output_audio_transcript.delta', response_id: 'r1', item_id: 'a1', content_index: 0, delta: 'lo' });
    fake.receive({ type: 'response.output_audio_transcript.done', response_id: 'r1', item_id: 'a1', content_index: 0, transcript: 'Hello' });
    fake.receive({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'u1', content_index: 0, transcript: 'Hi there' });
    expect(transcripts).toEqual([
      { role: 'assistant', itemId: 'a1', responseId: 'r1', delta: 'Hel', text: 'Hel', final: false },
      { role: 'assistant', itemId: 'a1', responseId: 'r1', delta: 'lo', text: 'Hello', final: false },
      { role: 'assistant', itemId: 'a1', responseId: 'r1', delta: '', text: 'Hello', final: true },
      { role: 'user', itemId: 'u1', delta: 'Hi there', text: 'Hi there', final: true },
    ]);
  });

  it('turns a server error event into server_error and stays connected', async () => {
    const { session, fake, errors } = setup();
    await session.connect();
    const detail = { type: 'invalid_request_error', code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found', param: null, event_id: 'c1' };
    fake.receive({ type: 'error', event_id: 'e2', error: detail });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'server_error', serverError: detail });
    expect(errors[0]!.message).toContain('response_cancel_not_active');
    expect(session.state).toBe('connected');
  });

  it('announces a committed user item with an empty partial transcript, before the answer and its transcription', async () => {
    const { session, fake } = setup();
    const transcripts: TranscriptEvent[] = record(session, 'transcript');
    await session.connect();
    fake.receive({ type: 'input_audio_buffer.committed', item_id: 'u1', previous_item_id: null });
    fake.receive({ type: 'response.output_audio_transcript.delta', response_id: 'r1', item_id: 'a1', delta: 'Sure' });
    fake.receive({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'u1', content_index: 0, transcript: 'Book a table' });
    expect(transcripts.map((t) => [t.role, t.itemId, t.text, t.final])).toEqual([
      ['user', 'u1', '', false],
      ['assistant', 'a1', 'Sure', false],
      ['user', 'u1', 'Book a table', true],
    ]);
  });

  it('reports speech, agent audio and response completion', async () => {
    const { session, fake } = setup();
    const started = record(session, 'speechStarted');
    const stopped = record(session, 'speechStopped');
    const audio = record(session, 'agentAudio');
    const done = record(session, 'responseDone');
    await session.connect();
    fake.receive({ type: 'input_audio_buffer.speech_started', audio_start_ms: 300, item_id: 'u1' });
    fake.receive({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 1700, item_id: 'u1' });
    fake.receive({ type: 'output_audio_buffer.started', response_id: 'r1' });
    const usage = { total_tokens: 30, input_tokens: 14, output_tokens: 16 };
    fake.receive({ type: 'response.done', response: { id: 'r1', status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' }, usage } });
    fake.receive({ type: 'output_audio_buffer.cleared', response_id: 'r1' });
    expect(started).toEqual([{ itemId: 'u1', audioMs: 300 }]);
    expect(stopped).toEqual([{ itemId: 'u1', audioMs: 1700 }]);
    expect(audio).toEqual([{ state: 'started', responseId: 'r1' }, { state: 'cleared', responseId: 'r1' }]);
    expect(done).toEqual([{ responseId: 'r1', status: 'cancelled', reason: 'turn_detected', usage, metadata: undefined, outputIds: [] }]);
  });

  it('sends session config on open, text turns and raw events through the transport', async () => {
    const fake = new FakeTransport();
    const session = new VoiceSession({
      getToken: async () => ({ value: 'ek_y', callsUrl: 'https://x.test/calls' }),
      transport: () => fake,
      session: { instructions: 'Be brief.' },
    });
    await session.connect();
    session.sendText('hello');
    session.updateSession({ audio: { input: { turn_detection: null } } });
    expect(fake.sent).toEqual([
      { type: 'session.update', session: { type: 'realtime', instructions: 'Be brief.' } },
      { type: 'conversation.item.create', item: { id: expect.stringMatching(/^rtv_item_\d+$/), type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }, event_id: expect.stringMatching(/^rtv_item_\d+$/) },
      { type: 'response.create', event_id: expect.stringMatching(/^rtv_response_\d+$/) },
      { type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } },
    ]);
  });

  it('isolates a throwing listener: the others run and listener_error is emitted', async () => {
    const { session, fake, errors } = setup();
    const seen: string[] = [];
    session.on('speechStarted', () => {
      throw new Error('app bug');
    });
    session.on('speechStarted', (e) => seen.push(e.itemId));
    await session.connect();
    fake.receive({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'u7' });
    expect(seen).toEqual(['u7']);
    expect(errors.map((e) => e.code)).toEqual(['listener_error']);
    expect((errors[0]!.cause as Error).message).toBe('app bug');
  });

  it('on() returns an unsubscribe function and once() fires once', async () => {
    const { session, fake } = setup();
    const all: string[] = [];
    const first: string[] = [];
    const off = session.on('speechStarted', (e) => all.push(e.itemId));
    session.once('speechStarted', (e) => first.push(e.itemId));
    await session.connect();
    fake.receive({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'a' });
    off();
    fake.receive({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'b' });
    expect(all).toEqual(['a']);
    expect(first).toEqual(['a']);
  });
});
