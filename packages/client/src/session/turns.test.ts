// @vitest-environment happy-dom
/*
 * Who speaks, and barge-in: local playback is silenced at once, `interrupted`
 * is emitted, and the server is asked to stop only what still runs
 * (`response.cancel` while a response is active, `output_audio_buffer.clear`
 * while audio plays), never `conversation.item.truncate` (PROTOCOL.md §5).
 */
import { describe, expect, it, vi } from 'vitest';
import { createSession, flush, record, remoteAudio, useFakeMicAndTimers } from '../../test/harness.js';
import type { VoiceSessionOptions } from '../options.js';

const CANCEL = { type: 'response.cancel', event_id: expect.stringMatching(/^rtv_cancel_\d+$/) };
const CLEAR = { type: 'output_audio_buffer.clear' };

useFakeMicAndTimers();

async function live(options: Partial<VoiceSessionOptions> = {}) {
  const h = createSession(options);
  await h.session.connect();
  const remote = remoteAudio();
  h.fake.remoteTrack(remote.track, remote.stream);
  await flush();
  h.fake.sent.length = 0;
  return Object.assign(h, { remote, interrupted: record(h.session, 'interrupted'), speaking: record(h.session, 'speaking') });
}

type Live = Awaited<ReturnType<typeof live>>;

const assistantItem = (h: Live) => h.session.history.filter((i) => i.type === 'message' && i.role === 'assistant').at(-1)?.id;

/** The server starts answering: response, assistant item, audio, some text; nothing is finished. */
function answering(h: Live, id = 'resp_1', itemId = 'item_a1', audio = true) {
  h.fake.receive({ type: 'response.created', response: { id, status: 'in_progress', output: [] } });
  h.fake.receive({ type: 'conversation.item.added', item: { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
  if (audio) h.fake.receive({ type: 'output_audio_buffer.started', response_id: id });
  h.fake.receive({ type: 'response.output_audio_transcript.delta', response_id: id, item_id: itemId, content_index: 0, delta: 'Sure, let me explain how this works.' });
}

const speechStarted = (h: Live, itemId = 'item_u2') =>
  h.fake.receive({ type: 'input_audio_buffer.speech_started', audio_start_ms: 4000, item_id: itemId });

describe('playback', () => {
  it('plays the remote stream through the audio element', async () => {
    const h = await live();
    expect(h.session.remoteStream).toBe(h.remote.stream);
    expect(h.element.srcObject).toBe(h.remote.stream);
    expect(h.element.play).toHaveBeenCalled();
    expect(h.remote.track.enabled).toBe(true);
  });

  it('plays a remote track that arrived before session.created (as WebRTC delivers it)', async () => {
    const h = createSession({}, { transport: { autoSessionCreated: false } });
    const connecting = h.session.connect();
    await flush();
    const remote = remoteAudio();
    h.fake.remoteTrack(remote.track, remote.stream);
    h.fake.receive({ type: 'session.created', session: { type: 'realtime' } });
    await connecting;
    await flush();
    expect(h.session.remoteStream).toBe(remote.stream);
    expect(h.element.srcObject).toBe(remote.stream);
    expect(h.element.play).toHaveBeenCalled();
  });
});

describe('playback errors', () => {
  it('reports autoplay_blocked when the browser refuses to play, and resumeAudio() retries', async () => {
    const h = createSession();
    h.element.play.mockRejectedValueOnce(Object.assign(new Error('play() needs a gesture'), { name: 'NotAllowedError' }));
    await h.session.connect();
    const remote = remoteAudio();
    h.fake.remoteTrack(remote.track, remote.stream);
    await flush();
    expect(h.errors.map((e) => e.code)).toEqual(['autoplay_blocked']);
    expect(h.session.state).toBe('connected');
    await h.session.resumeAudio();
    expect(h.element.play).toHaveBeenCalledTimes(2);
    expect(h.errors).toHaveLength(1);
  });

  it('reports other playback failures as audio_playback_failed', async () => {
    const h = createSession();
    h.element.play.mockRejectedValueOnce(Object.assign(new Error('no output device'), { name: 'NotSupportedError' }));
    await h.session.connect();
    const remote = remoteAudio();
    h.fake.remoteTrack(remote.track, remote.stream);
    await flush();
    expect(h.errors.map((e) => e.code)).toEqual(['audio_playback_failed']);
  });
});

describe('speaking', () => {
  it('follows the user’s speech and the assistant’s audio', async () => {
    const h = await live();
    h.fake.userTurn('Hi.');
    expect(h.session.speaking).toBe('none');
    h.fake.assistantTurn('Hello there.');
    expect(h.speaking).toEqual([{ who: 'user' }, { who: 'none' }, { who: 'assistant' }, { who: 'none' }]);
    expect(h.fake.sent).toEqual([]);
  });
});

describe('barge-in (server VAD)', () => {
  it('while a response is active and its audio plays: silences at once, emits interrupted, sends response.cancel then output_audio_buffer.clear', async () => {
    const h = await live();
    const responseId = h.fake.assistantTurn('One two three four five six seven eight nine ten.', { complete: false });
    await vi.advanceTimersByTimeAsync(800);
    let enabledWhenNotified: boolean | undefined;
    h.session.on('interrupted', () => (enabledWhenNotified = h.remote.track.enabled));
    h.fake.bargeIn();
    expect(enabledWhenNotified).toBe(false);
    expect(h.fake.sent).toEqual([CANCEL, CLEAR]);
    expect(h.interrupted).toEqual([{ source: 'vad', responseId, itemId: assistantItem(h), audioEndMs: 800 }]);
    expect(h.speaking).toEqual([{ who: 'assistant' }, { who: 'user' }]);
    expect(h.errors).toEqual([]);
  });

  it('keeps the remote track silent until the next response starts', async () => {
    const h = await live();
    h.fake.assistantTurn('A long answer that goes on.', { complete: false });
    h.fake.bargeIn();
    expect(h.remote.track.enabled).toBe(false);
    h.fake.receive({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 6000, item_id: 'item_u2' });
    expect(h.remote.track.enabled).toBe(false);
    h.fake.assistantTurn('Yes?');
    expect(h.remote.track.enabled).toBe(true);
  });

  it('while a response is active but no audio plays yet: only response.cancel', async () => {
    const h = await live();
    answering(h, 'resp_1', 'item_a1', false);
    speechStarted(h);
    expect(h.fake.sent).toEqual([CANCEL]);
    expect(h.interrupted).toEqual([{ source: 'vad', responseId: 'resp_1', itemId: 'item_a1', audioEndMs: 0 }]);
  });

  it('with audio still playing after response.done: only output_audio_buffer.clear', async () => {
    const h = await live();
    answering(h);
    h.fake.receive({ type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [{ id: 'item_a1', type: 'message' }] } });
    await vi.advanceTimersByTimeAsync(1200);
    speechStarted(h);
    expect(h.fake.sent).toEqual([CLEAR]);
    expect(h.interrupted).toEqual([{ source: 'vad', responseId: 'resp_1', itemId: 'item_a1', audioEndMs: 1200 }]);
    expect(h.remote.track.enabled).toBe(false);
  });

  it('does nothing when the assistant is silent', async () => {
    const h = await live();
    h.fake.assistantTurn('Done.');
    speechStarted(h);
    expect(h.fake.sent).toEqual([]);
    expect(h.interrupted).toEqual([]);
    expect(h.remote.track.enabled).toBe(true);
    expect(h.session.speaking).toBe('user');
  });

  it('is off while the session’s turn detection has interrupt_response: false, and back on when it is true again', async () => {
    const h = await live();
    h.fake.receive({
      type: 'session.updated',
      session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', interrupt_response: false } } } },
    });
    answering(h);
    speechStarted(h);
    expect(h.fake.sent).toEqual([]);
    expect(h.interrupted).toEqual([]);
    expect(h.remote.track.enabled).toBe(true);
    // A session.updated that does not mention turn detection changes nothing.
    h.fake.receive({ type: 'session.updated', session: { type: 'realtime', instructions: 'x', audio: { input: {} } } });
    speechStarted(h);
    expect(h.fake.sent).toEqual([]);
    h.fake.receive({
      type: 'session.updated',
      session: { type: 'realtime', audio: { input: { turn_detection: { type: 'semantic_vad', interrupt_response: true } } } },
    });
    speechStarted(h);
    expect(h.fake.sent).toEqual([CANCEL, CLEAR]);
    expect(h.interrupted).toHaveLength(1);
  });

  it('needs no error from the server’s own answers to our requests', async () => {
    const h = await live();
    answering(h);
    speechStarted(h);
    const cancelId = h.fake.sent[0]!.event_id;
    // The server had already cancelled by itself: our cancel finds nothing to cancel.
    h.fake.receive({ type: 'response.done', response: { id: 'resp_1', status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' }, output: [] } });
    h.fake.receive({ type: 'error', error: { type: 'invalid_request_error', code: 'response_cancel_not_active', message: 'no active response', event_id: cancelId } });
    expect(h.errors).toEqual([]);
    // The same code for an event that is not ours is reported.
    h.fake.receive({ type: 'error', error: { type: 'invalid_request_error', code: 'response_cancel_not_active', message: 'no active response', event_id: 'app_1' } });
    expect(h.errors.map((e) => e.code)).toEqual(['server_error']);
  });
});

describe('interrupt()', () => {
  it('cuts the assistant off: returns true, silences, sends response.cancel then output_audio_buffer.clear, emits interrupted (manual)', async () => {
    const h = await live();
    answering(h);
    await vi.advanceTimersByTimeAsync(500);
    expect(h.session.interrupt()).toBe(true);
    expect(h.remote.track.enabled).toBe(false);
    expect(h.fake.sent).toEqual([CANCEL, CLEAR]);
    expect(h.fake.sentOfType('conversation.item.truncate')).toEqual([]);
    expect(h.interrupted).toEqual([{ source: 'manual', responseId: 'resp_1', itemId: 'item_a1', audioEndMs: 500 }]);
    expect(h.speaking).toEqual([{ who: 'assistant' }, { who: 'none' }]);
  });

  it('does nothing more when called again before the server confirms (a double click)', async () => {
    const h = await live();
    answering(h);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.session.interrupt()).toBe(true);
    const heard = h.session.history[0];
    expect(h.session.interrupt()).toBe(false);
    expect(h.fake.sent).toEqual([CANCEL, CLEAR]);
    expect(h.interrupted).toHaveLength(1);
    expect(h.session.history[0]).toBe(heard);
    expect(heard).toMatchObject({ text: 'Sure, let me', audioEndMs: 1000 });
    // The next response can be cut off again.
    h.fake.receive({ type: 'response.done', response: { id: 'resp_1', status: 'cancelled', output: [] } });
    answering(h, 'resp_2', 'item_a2');
    expect(h.session.interrupt()).toBe(true);
    expect(h.interrupted).toHaveLength(2);
  });

  it('returns false and sends nothing when nothing plays, or when not connected', async () => {
    const h = await live();
    expect(h.session.interrupt()).toBe(false);
    h.fake.assistantTurn('Finished.');
    expect(h.session.interrupt()).toBe(false);
    expect(h.fake.sent).toEqual([]);
    expect(h.interrupted).toEqual([]);
    await h.session.disconnect();
    expect(h.session.interrupt()).toBe(false);
    expect(createSession().session.interrupt()).toBe(false);
  });
});
