import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScenarioAgent } from '../agent/scenario-agent.js';
import { schemaProblems } from '../test-support/fixtures.js';
import { SessionHarness } from '../test-support/session-harness.js';
import { concat, silence, tone } from '../test-support/signals.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const turn = () => concat(silence(300), tone(800, 0.3), silence(600));

describe('turn detection', () => {
  it('null (push-to-talk): no VAD events; commit adds the item; response.create answers', async () => {
    const h = new SessionHarness({ audio: { input: { turn_detection: null } } });
    h.client({ type: 'input_audio_buffer.clear' });
    await h.feed(concat(tone(800, 0.3), silence(200)));
    expect(h.ofType('input_audio_buffer.speech_started')).toHaveLength(0);
    h.client({ type: 'input_audio_buffer.commit' });
    expect(h.types(1)).toEqual(['input_audio_buffer.cleared', 'input_audio_buffer.committed', 'conversation.item.added', 'conversation.item.done']);
    await h.idle(500, false);
    expect(h.ofType('response.created')).toHaveLength(0);
    h.client({ type: 'response.create' });
    await h.idle(3000, false);
    expect(h.ofType('response.output_audio_transcript.done')[0]?.transcript).toBe('(sim) you spoke for 1.0 s');
  });

  it('switching to push-to-talk with session.update stops the VAD', async () => {
    const h = new SessionHarness();
    h.client({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
    expect(h.first('session.updated').session.audio.input.turn_detection).toBeNull();
    await h.feed(turn());
    expect(h.ofType('input_audio_buffer.speech_started')).toHaveLength(0);
  });

  it('create_response: false keeps the VAD events but starts no response', async () => {
    const h = new SessionHarness({ audio: { input: { turn_detection: { type: 'server_vad', create_response: false } } } });
    await h.feed(turn());
    await h.idle(500);
    expect(h.ofType('input_audio_buffer.committed')).toHaveLength(1);
    expect(h.ofType('response.created')).toHaveLength(0);
  });

  it('semantic_vad is approximated by eagerness: high ends a turn after 300 ms, low after 1000 ms', async () => {
    const speech = concat(tone(500, 0.3), silence(600), tone(500, 0.3), silence(1200));
    const high = new SessionHarness({ audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'high', create_response: false } } } });
    await high.feed(speech);
    expect(high.ofType('input_audio_buffer.speech_stopped').map((e) => e.audio_end_ms)).toEqual([800, 1900]);
    const low = new SessionHarness({ audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'low', create_response: false } } } });
    await low.feed(speech);
    expect(low.ofType('input_audio_buffer.speech_stopped').map((e) => e.audio_end_ms)).toEqual([2600]);
    expect(low.first('session.created').session.audio.input.turn_detection).toEqual({
      type: 'semantic_vad', eagerness: 'low', create_response: false, interrupt_response: true,
    });
  });

  it('idle_timeout_ms: timeout_triggered after the assistant finished, then commit and a response', async () => {
    const h = new SessionHarness({ audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 5000 } } } });
    await h.feed(turn());
    await h.idle(3000);
    const stoppedAt = h.types().indexOf('output_audio_buffer.stopped');
    expect(stoppedAt).toBeGreaterThan(0);
    expect(h.ofType('input_audio_buffer.timeout_triggered')).toHaveLength(0);
    await h.idle(5000);
    const [timeout] = h.ofType('input_audio_buffer.timeout_triggered');
    expect(timeout).toBeDefined();
    expect(schemaProblems(timeout!)).toEqual([]);
    expect(timeout!.audio_end_ms - timeout!.audio_start_ms).toBe(5000);
    const after = h.types(h.sent.indexOf(timeout!) + 1);
    expect(after.slice(0, 4)).toEqual(['input_audio_buffer.committed', 'conversation.item.added', 'conversation.item.done', 'response.created']);
    expect(h.ofType('input_audio_buffer.committed')[1]?.item_id).toBe(timeout!.item_id);
  });

  it('a scenario with trigger "connect" speaks first, right after the first session.update', async () => {
    const agent = new ScenarioAgent({ name: 'hi', turns: [{ trigger: 'connect', steps: [{ say: 'Welcome.' }] }] });
    const h = new SessionHarness({}, agent);
    await h.idle(100, false);
    expect(h.ofType('response.created')).toHaveLength(0);
    h.client({ type: 'session.update', session: { type: 'realtime', instructions: 'x' } });
    expect(h.types(1).slice(0, 2)).toEqual(['session.updated', 'response.created']);
    await h.idle(3000, false);
    expect(h.first('response.output_audio_transcript.done').transcript).toBe('Welcome.');
  });
});
