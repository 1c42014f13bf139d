import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScenarioAgent } from '../agent/scenario-agent.js';
import { loadShippedScenario } from '../agent/scenario-library.js';
import { schemaProblems } from '../test-support/fixtures.js';
import { SessionHarness } from '../test-support/session-harness.js';
import { concat, silence, tone } from '../test-support/signals.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const longAnswer = () => new ScenarioAgent(loadShippedScenario('long-answer'));
const ask = { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'talk to me' }] } };

describe('barge-in', () => {
  it('speech during a response cancels it (turn_detected), clears the output and truncates to what was played', async () => {
    const h = new SessionHarness({}, longAnswer());
    h.client(ask);
    h.client({ type: 'response.create' });
    await h.idle(2000);
    const playedBefore = h.outputVoiced.length;
    const from = h.sent.length;
    await h.feed(tone(100, 0.3));
    const all = h.types(from);
    // A transcript delta may still go out while the VAD accumulates its 30 ms of onset.
    const types = all.slice(all.indexOf('input_audio_buffer.speech_started'));
    expect(types.slice(0, 8)).toEqual([
      'input_audio_buffer.speech_started',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
      'output_audio_buffer.cleared',
    ]);
    expect(types[8]).toBe('conversation.item.truncated');
    const done = h.first('response.done').response;
    expect(done.status).toBe('cancelled');
    expect(done.status_details).toEqual({ type: 'cancelled', reason: 'turn_detected' });
    expect(h.first('output_audio_buffer.cleared').response_id).toBe(done.id);
    const truncated = h.first('conversation.item.truncated');
    expect(truncated.item_id).toBe(done.output[0].id);
    // Played: from output_audio_buffer.started to the interruption (± a frame or two).
    const startedAt = h.outputVoiced.findIndex(Boolean);
    const playedMs = (playedBefore + 3 - startedAt) * 10;
    expect(Math.abs(truncated.audio_end_ms - playedMs)).toBeLessThanOrEqual(50);
    expect(h.ofType('output_audio_buffer.stopped')).toHaveLength(0);
    for (const e of h.sent) expect(schemaProblems(e)).toEqual([]);
    // The output goes silent at once (until the user's own turn gets its answer).
    const cut = h.outputVoiced.length;
    await h.idle(100);
    expect(h.outputVoiced.slice(cut).some(Boolean)).toBe(false);
    // And the user's turn is answered.
    await h.feed(concat(tone(400, 0.3), silence(300)));
    expect(h.ofType('response.created')).toHaveLength(2);
  });

  it('after response.done, speech still clears the audio that is playing and truncates, without a second response.done', async () => {
    const h = new SessionHarness({}, longAnswer(), 50);
    h.client(ask);
    h.client({ type: 'response.create' });
    await h.idle(1500);
    expect(h.first('response.done').response.status).toBe('completed');
    const from = h.sent.length;
    await h.feed(tone(100, 0.3));
    expect(h.types(from).slice(0, 3)).toEqual(['input_audio_buffer.speech_started', 'output_audio_buffer.cleared', 'conversation.item.truncated']);
    expect(h.ofType('response.done')).toHaveLength(1);
  });

  it('interrupt_response: false lets the assistant finish', async () => {
    const h = new SessionHarness({ audio: { input: { turn_detection: { type: 'server_vad', interrupt_response: false } } } }, longAnswer());
    h.client(ask);
    h.client({ type: 'response.create' });
    await h.idle(1000);
    await h.feed(concat(tone(300, 0.3), silence(300)));
    expect(h.ofType('input_audio_buffer.speech_started')).toHaveLength(1);
    expect(h.ofType('output_audio_buffer.cleared')).toHaveLength(0);
    expect(h.ofType('response.done')).toHaveLength(0);
  });
});
