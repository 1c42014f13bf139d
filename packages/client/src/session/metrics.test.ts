// @vitest-environment happy-dom
/*
 * Per-turn latency (`metrics` with kind 'turn'), measured from the server's
 * speech_stopped to the first transcript delta and to output_audio_buffer.started,
 * reported when its response is done. Time is fake.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession, installMicrophone, record } from '../../test/harness.js';
import type { TurnMetrics } from './metrics.js';

beforeEach(() => {
  installMicrophone();
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

async function live() {
  const h = createSession();
  await h.session.connect();
  const all = record(h.session, 'metrics');
  const turns = () => all.filter((m): m is TurnMetrics => m.kind === 'turn');
  return Object.assign(h, { turns });
}

type Live = Awaited<ReturnType<typeof live>>;

const at = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms - performance.now());
};

/** The user stops speaking at the current time (t = 0 of the turn). */
function speechStopped(h: Live, itemId = 'item_u1') {
  h.fake.receive({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 1500, item_id: itemId });
}

describe('turn metrics', () => {
  it('measures speech stopped → first transcript delta and → the server’s audio start, reported at response.done', async () => {
    const h = await live();
    const t0 = performance.now();
    speechStopped(h);
    await at(t0 + 200);
    h.fake.receive({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
    await at(t0 + 300);
    h.fake.receive({ type: 'response.output_audio_transcript.delta', response_id: 'r1', item_id: 'a1', content_index: 0, delta: 'Hi' });
    await at(t0 + 400);
    h.fake.receive({ type: 'output_audio_buffer.started', response_id: 'r1' });
    await at(t0 + 450);
    h.fake.receive({ type: 'response.output_audio_transcript.delta', response_id: 'r1', item_id: 'a1', content_index: 0, delta: ' there' });
    await at(t0 + 900);
    expect(h.turns()).toEqual([]);
    h.fake.receive({ type: 'response.done', response: { id: 'r1', status: 'completed', output: [] } });
    const expected = { kind: 'turn', itemId: 'item_u1', responseId: 'r1', speechToAudioMs: 400, speechToTranscriptMs: 300 };
    expect(h.turns()).toEqual([expected]);
    expect(h.session.metrics.turns).toEqual([expected]);
    await at(t0 + 30_000);
    expect(h.turns()).toHaveLength(1);
  });

  it('reports a text-only answer without an audio time', async () => {
    const h = await live();
    const t0 = performance.now();
    speechStopped(h);
    h.fake.receive({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
    await at(t0 + 300);
    h.fake.receive({ type: 'response.output_text.delta', response_id: 'r1', item_id: 'a1', content_index: 0, delta: 'Hi' });
    h.fake.receive({ type: 'response.done', response: { id: 'r1', status: 'completed', output: [] } });
    expect(h.turns()).toEqual([{ kind: 'turn', itemId: 'item_u1', responseId: 'r1', speechToAudioMs: undefined, speechToTranscriptMs: 300 }]);
  });

  it('measures the first response after the speech only, and nothing before speech stopped', async () => {
    const h = await live();
    h.fake.assistantTurn('Not a turn: nobody spoke.');
    expect(h.turns()).toEqual([]);
    const t0 = performance.now();
    speechStopped(h);
    await at(t0 + 100);
    h.fake.receive({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
    h.fake.receive({ type: 'response.created', response: { id: 'r_other', status: 'in_progress', output: [] } });
    h.fake.receive({ type: 'response.done', response: { id: 'r_other', status: 'completed', output: [] } });
    expect(h.turns()).toEqual([]);
    h.fake.receive({ type: 'response.done', response: { id: 'r1', status: 'cancelled', output: [] } });
    expect(h.turns()).toEqual([expect.objectContaining({ responseId: 'r1' })]);
  });

  it('keeps the last 50 turns in session.metrics', async () => {
    const h = await live();
    for (let i = 0; i < 52; i += 1) {
      speechStopped(h, `item_u${i}`);
      h.fake.receive({ type: 'response.created', response: { id: `r${i}`, status: 'in_progress', output: [] } });
      h.fake.receive({ type: 'response.output_text.delta', response_id: `r${i}`, item_id: `a${i}`, content_index: 0, delta: 'ok' });
      h.fake.receive({ type: 'response.done', response: { id: `r${i}`, status: 'completed', output: [] } });
    }
    expect(h.turns()).toHaveLength(52);
    expect(h.session.metrics.turns).toHaveLength(50);
    expect(h.session.metrics.turns[0]!.itemId).toBe('item_u2');
    expect(h.session.metrics.turns.at(-1)!.itemId).toBe('item_u51');
  });

  it('forgets a turn in progress when the session ends, and starts over on the next connect()', async () => {
    const h = await live();
    speechStopped(h);
    h.fake.receive({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
    await h.session.disconnect();
    expect(h.turns()).toEqual([]);
    await h.session.connect();
    h.fake.receive({ type: 'response.done', response: { id: 'r1', status: 'completed', output: [] } });
    expect(h.turns()).toEqual([]);
    expect(h.session.metrics).toEqual({ connect: expect.objectContaining({ kind: 'connect' }), turns: [] });
  });
});
