import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScenarioAgent } from '../agent/scenario-agent.js';
import { loadShippedScenario, parseScenario } from '../agent/scenario-library.js';
import { decodeG711 } from '../audio/g711.js';
import { rms } from '../audio/level.js';
import { decodePcm16le } from '../audio/pcm16.js';
import { schemaProblems } from '../test-support/fixtures.js';
import { type SentEvent, SessionHarness } from '../test-support/session-harness.js';
import { tone } from '../test-support/signals.js';
import type { SessionTransport } from './session.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const ask = (text = 'talk to me') => ({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
const longAnswer = () => new ScenarioAgent(loadShippedScenario('long-answer'));
const bytesOf = (deltas: SentEvent[]) => deltas.map((d) => Buffer.from(d.delta as string, 'base64'));

/** A session with the WebSocket transport's audio delivery (deltas, no output buffer). */
const socketHarness = (update = {}, agent = undefined as ConstructorParameters<typeof SessionHarness>[1]) =>
  new SessionHarness(update, agent, 2, 'events');

describe('audio as response.output_audio.delta (WebSocket sessions)', () => {
  it('streams each answer as PCM16 24 kHz deltas of 50–100 ms paced at the generation speed, in the GA order, with no output_audio_buffer events', async () => {
    const h = socketHarness();
    h.client(ask('hello there, how are you today?'));
    h.client({ type: 'response.create' });
    const times: number[] = [];
    for (let t = 0; t < 8000 && h.ofType('response.done').length === 0; t += 10) {
      const before = h.ofType('response.output_audio.delta').length;
      await h.idle(10, false);
      for (let i = before; i < h.ofType('response.output_audio.delta').length; i++) times.push(t);
    }
    const deltas = h.ofType('response.output_audio.delta');
    const done = h.first('response.done').response;
    expect(done.status).toBe('completed');
    const item = done.output[0];
    for (const d of deltas) {
      expect(d).toMatchObject({ response_id: done.id, item_id: item.id, output_index: 0, content_index: 0 });
      expect(schemaProblems(d)).toEqual([]);
    }
    const chunks = bytesOf(deltas);
    const ms = chunks.map((b) => b.length / 2 / 24);
    expect(Math.max(...ms)).toBeLessThanOrEqual(100);
    expect(ms.filter((m) => m >= 49).length).toBeGreaterThanOrEqual(ms.length - 2);
    const pcm = decodePcm16le(Buffer.concat(chunks));
    expect(rms(pcm)).toBeGreaterThan(0.05);
    const audioMs = pcm.length / 24;
    // Generated at twice real time: spread over about half the audio's duration.
    const span = times.at(-1)! - times[0]!;
    expect(span).toBeGreaterThan(audioMs / 2 - 250);
    expect(span).toBeLessThan(audioMs / 2 + 250);
    // Order: all deltas before the item's closing events; no playback events at all.
    const types = h.types();
    expect(types.lastIndexOf('response.output_audio.delta')).toBeLessThan(types.indexOf('response.output_audio.done'));
    expect(types.indexOf('response.output_audio.done')).toBeLessThan(types.indexOf('response.done'));
    expect(types.filter((t) => t.startsWith('output_audio_buffer.'))).toEqual([]);
    // Nothing went to the (WebRTC) output buffer.
    expect(h.outputVoiced.some(Boolean)).toBe(false);
  });

  it('G.711 output: µ-law or A-law bytes at 8 kHz, one byte per sample', async () => {
    for (const [type, law] of [['audio/pcmu', 'ulaw'], ['audio/pcma', 'alaw']] as const) {
      const h = socketHarness({ audio: { output: { format: { type } } } });
      h.client(ask('hello there'));
      h.client({ type: 'response.create' });
      await h.idle(4000, false);
      const bytes = Buffer.concat(bytesOf(h.ofType('response.output_audio.delta')));
      expect(Math.max(...bytesOf(h.ofType('response.output_audio.delta')).map((b) => b.length / 8))).toBeLessThanOrEqual(100);
      const samples = decodeG711(bytes, law);
      expect(rms(samples)).toBeGreaterThan(0.05);
      expect(h.first('response.done').response.audio.output.format).toEqual({ type });
    }
  });

  it('barge-in cancels the response (turn_detected) without truncating; the client truncate is applied; too long is an error', async () => {
    const h = socketHarness({}, longAnswer());
    h.client(ask());
    h.client({ type: 'response.create' });
    await h.idle(1500);
    const sentMs = Buffer.concat(bytesOf(h.ofType('response.output_audio.delta'))).length / 48;
    expect(sentMs).toBeGreaterThan(1500);
    await h.feed(tone(100, 0.3));
    await h.idle(500);
    const done = h.first('response.done').response;
    expect(done.status_details).toEqual({ type: 'cancelled', reason: 'turn_detected' });
    expect(h.ofType('conversation.item.truncated')).toHaveLength(0);
    expect(h.ofType('output_audio_buffer.cleared')).toHaveLength(0);
    const itemId = done.output[0].id as string;
    // The stored item holds what was generated (sent) before the cancel.
    // (The user's turn got its own answer since: count the first response's deltas only.)
    const generatedMs = Buffer.concat(bytesOf(h.ofType('response.output_audio.delta').filter((d) => d.response_id === done.id))).length / 48;
    h.client({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: Math.ceil(generatedMs) + 200, event_id: 'too_long' });
    const error = h.ofType('error').at(-1);
    expect(error?.error).toMatchObject({ type: 'invalid_request_error', code: null, event_id: 'too_long' });
    expect(error?.error.message).toMatch(new RegExp(`^Audio content of \\d+ms is already shorter than ${Math.ceil(generatedMs) + 200}ms$`));
    // The client's played position (what AJS computes: at most what it decoded) is accepted.
    h.client({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: Math.floor(generatedMs) });
    h.client({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 700 });
    expect(h.ofType('conversation.item.truncated').map((e) => e.audio_end_ms)).toEqual([Math.floor(generatedMs), 700]);
    h.client({ type: 'conversation.item.retrieve', item_id: itemId });
    const part = h.first('conversation.item.retrieved').item.content[0];
    expect(Buffer.from(part.audio, 'base64').length).toBe(700 * 24 * 2);
    expect(part.transcript).toBe('');
  });

  it('output_audio_buffer.clear is WebRTC-only: an error on a WebSocket session', () => {
    const h = socketHarness();
    h.client({ type: 'output_audio_buffer.clear', event_id: 'c1' });
    expect(h.ofType('output_audio_buffer.cleared')).toHaveLength(0);
    expect(h.first('error').error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param: 'type', event_id: 'c1' });
  });

  it('the audio=stop fault (muted output) sends no audio deltas; the rest of the response goes on', async () => {
    const h = socketHarness();
    h.session.output.muted = true;
    h.client(ask('hello there'));
    h.client({ type: 'response.create' });
    await h.idle(4000, false);
    expect(h.first('response.done').response.status).toBe('completed');
    expect(h.ofType('response.output_audio_transcript.delta').length).toBeGreaterThan(0);
    expect(h.ofType('response.output_audio.delta')).toHaveLength(0);
  });

  it('the idle timeout and a scenario\'s end treat the end of generation as the end of playback', async () => {
    const h = socketHarness({ audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 5000 } } } });
    h.client(ask('hi'));
    h.client({ type: 'response.create' });
    await h.idle(1500);
    expect(h.first('response.done').response.status).toBe('completed');
    await h.idle(5100);
    expect(h.ofType('input_audio_buffer.timeout_triggered')).toHaveLength(1);
    // A scenario's `end` closes the session as soon as the last answer is generated.
    const bye = parseScenario({ name: 'bye', turns: [{ steps: [{ say: 'Goodbye then, and thank you for calling today.' }, { end: true }] }] });
    const g = socketHarness({}, new ScenarioAgent(bye));
    g.client(ask());
    g.client({ type: 'response.create' });
    let doneAt = -1;
    let closedAt = -1;
    for (let t = 0; t < 6000 && !g.transportClosed; t += 10) {
      await g.idle(10, false);
      if (doneAt < 0 && g.ofType('response.done').length > 0) doneAt = t;
      if (g.transportClosed) closedAt = t;
    }
    expect(closedAt).toBeGreaterThan(0);
    const audioMs = Buffer.concat(bytesOf(g.ofType('response.output_audio.delta'))).length / 48;
    expect(audioMs).toBeGreaterThan(2000);
    // Generated at twice real time and closed right after: well before the audio's real-time length.
    expect(closedAt - doneAt).toBeLessThanOrEqual(100);
    expect(closedAt).toBeLessThan(audioMs * 0.6);
  });
});

describe('sideband connections (SimSession.attach)', () => {
  const observer = () => {
    const got: SentEvent[] = [];
    const closed: Array<string | undefined> = [];
    const transport: SessionTransport = { send: (t) => got.push(JSON.parse(t) as SentEvent), close: (reason) => closed.push(reason) };
    return { got, closed, transport };
  };

  it('gets every event from attach on (no session.created); errors go only to the connection that caused them', () => {
    const h = new SessionHarness();
    const side = observer();
    h.session.attach(side.transport);
    h.client({ type: 'session.update', session: { type: 'realtime', instructions: 'from the sideband' } }, side.transport);
    expect(side.got.map((e) => e.type)).toEqual(['session.updated']);
    expect(h.ofType('session.updated').at(-1)?.session.instructions).toBe('from the sideband');
    expect(side.got[0]?.event_id).toBe(h.ofType('session.updated').at(-1)?.event_id);
    h.client({ type: 'nope', event_id: 'side_bad' }, side.transport);
    expect(side.got.at(-1)?.error.event_id).toBe('side_bad');
    expect(h.ofType('error')).toHaveLength(0);
    h.client({ type: 'response.cancel', event_id: 'main_bad' }, h.transport);
    expect(h.first('error').error.code).toBe('response_cancel_not_active');
    expect(side.got.filter((e) => e.type === 'error')).toHaveLength(1);
  });

  it('detaches, and is closed with the session\'s reason when the session closes', () => {
    const h = new SessionHarness();
    const a = observer();
    const b = observer();
    const detachA = h.session.attach(a.transport);
    h.session.attach(b.transport);
    detachA();
    h.client(ask());
    expect(a.got).toHaveLength(0);
    expect(b.got.map((e) => e.type)).toEqual(['conversation.item.added', 'conversation.item.done']);
    h.session.close('hangup');
    expect(a.closed).toEqual([]);
    expect(b.closed).toEqual(['hangup']);
    const late = observer();
    h.session.attach(late.transport);
    expect(late.closed).toEqual(['closed']);
  });
});
