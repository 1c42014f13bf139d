import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorsFixture, schemaProblems } from '../test-support/fixtures.js';
import { SessionHarness } from '../test-support/session-harness.js';
import { concat, silence, tone } from '../test-support/signals.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The inner error object of a fixture entry whose code is `code`. */
function fixtureError(code: string): Record<string, unknown> {
  for (const e of errorsFixture.error_events) {
    const err = e.event?.error ?? e.event_error_object_only;
    if (err?.code === code) return err;
  }
  throw new Error(`no fixture error ${code}`);
}

function lastError(h: SessionHarness): Record<string, any> {
  const errors = h.ofType('error');
  const last = errors.at(-1);
  if (!last) throw new Error('no error event');
  expect(schemaProblems(last)).toEqual([]);
  return last.error;
}

describe('error events: invalid client events never close the session', () => {
  it('bad JSON', () => {
    const h = new SessionHarness();
    h.client('{"type": "response.create"');
    expect(lastError(h)).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json', param: null, event_id: null });
    expect(h.transportClosed).toBe(false);
  });

  it("missing type: the official example's code and message", () => {
    const h = new SessionHarness();
    h.client({ event_id: 'event_567' });
    const official = errorsFixture.error_events.find((e) => e.event?.error.code === 'invalid_event')?.event?.error;
    expect(lastError(h)).toEqual(official);
  });

  it('unknown type: invalid_value on param "type", echoing the client event_id', () => {
    const h = new SessionHarness();
    h.client({ type: 'scooby.dooby.doo', event_id: 'my_awesome_event' });
    const official = fixtureError('invalid_value');
    const error = lastError(h);
    expect(error).toMatchObject({ type: official.type, code: official.code, param: official.param, event_id: official.event_id });
    expect(error.message).toMatch(/^Invalid value: 'scooby\.dooby\.doo'/);
  });

  it('response_cancel_not_active: exactly the recorded error object', () => {
    const h = new SessionHarness();
    h.client({ type: 'response.cancel' });
    expect(lastError(h)).toEqual(fixtureError('response_cancel_not_active'));
  });

  it('unknown_parameter: message, param and event_id like the recorded one', () => {
    const h = new SessionHarness();
    h.client({ type: 'session.update', event_id: 'evt_nAh8N2BDAnkzVHMeH', session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1', enabled: true } } } } });
    const official = fixtureError('unknown_parameter');
    expect(lastError(h)).toEqual({
      type: official.type,
      code: 'unknown_parameter',
      message: "Unknown parameter: 'session.audio.input.transcription.enabled'.",
      param: 'session.audio.input.transcription.enabled',
      event_id: 'evt_nAh8N2BDAnkzVHMeH',
    });
    expect(h.ofType('session.updated')).toHaveLength(0);
  });

  it('missing required parameter and wrong types', () => {
    const h = new SessionHarness();
    h.client({ type: 'session.update', session: { instructions: 'x' } });
    expect(lastError(h)).toMatchObject({ code: 'missing_required_parameter', param: 'session.type' });
    h.client({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', threshold: 'high' } } } } });
    expect(lastError(h)).toMatchObject({ code: 'invalid_type', param: 'session.audio.input.turn_detection.threshold' });
    h.client({ type: 'conversation.item.delete' });
    expect(lastError(h)).toMatchObject({ code: 'missing_required_parameter', param: 'item_id' });
  });

  it('conversation_already_has_active_response, phrased like the recorded one', async () => {
    const h = new SessionHarness();
    h.client({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
    h.client({ type: 'response.create' });
    h.client({ type: 'response.create', event_id: 'second' });
    const official = fixtureError('conversation_already_has_active_response');
    const error = lastError(h);
    const responseId = h.first('response.created').response.id;
    expect(error).toEqual({ ...official, message: String(official.message).replace(/resp_\w+/, responseId), event_id: 'second' });
    await h.idle(5000, false);
    expect(h.ofType('response.done')).toHaveLength(1);
  });

  it('input_audio_buffer_commit_empty below 100 ms of audio', async () => {
    const h = new SessionHarness({ audio: { input: { turn_detection: null } } });
    await h.feed(silence(50));
    h.client({ type: 'input_audio_buffer.commit' });
    expect(lastError(h)).toMatchObject({
      code: 'input_audio_buffer_commit_empty',
      message: 'Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has 50.00ms of audio.',
    });
    await h.feed(concat(tone(200, 0.3)));
    h.client({ type: 'input_audio_buffer.commit' });
    expect(h.ofType('input_audio_buffer.committed')).toHaveLength(1);
  });

  it('cannot change the voice once assistant audio exists', async () => {
    const h = new SessionHarness();
    h.client({ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: 'marin' } } } });
    expect(h.ofType('error')).toHaveLength(0);
    h.client({ type: 'response.create' });
    await h.idle(3000, false);
    h.client({ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: 'cedar' } } } });
    expect(lastError(h)).toMatchObject({ code: 'cannot_update_voice', param: 'session.audio.output.voice' });
  });
});
