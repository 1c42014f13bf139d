import { expect, test } from '@playwright/test';
import { recorded, sendEvent, startClient, stopClient, type Recorded } from '../support/client-page.js';
import { useStack } from '../support/stack.js';

const stack = useStack();

/** The id of a response that was playing audio and then got cancelled by the user's speech. */
function interruptedWhilePlaying(r: Recorded): string | undefined {
  const playing = new Set(r.events.filter((e) => e.type === 'output_audio_buffer.started').map((e) => e.response_id as string));
  const cancelled = r.events.find((e) => {
    const resp = e.response as { id: string; status: string; status_details?: { reason?: string } } | undefined;
    return e.type === 'response.done' && resp?.status === 'cancelled' && resp.status_details?.reason === 'turn_detected' && playing.has(resp.id);
  });
  return (cancelled?.response as { id: string } | undefined)?.id;
}

test('barge-in: speaking over a long answer cancels it, clears the audio and truncates the item to what was heard', async ({ page }) => {
  await startClient(page, stack().url, { tokenQuery: 'sim_scenario=long-answer' });
  // One utterance is one turn: short pauses inside the sentence do not end it.
  await sendEvent(page, { type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 600 } } } } });
  // The answer runs ~25 s; the fake mic speaks again ~7 s after it starts and interrupts it.
  await expect.poll(async () => interruptedWhilePlaying(await recorded(page)), { timeout: 35_000 }).toBeDefined();
  const r = await recorded(page);
  const id = interruptedWhilePlaying(r)!;
  const at = (pred: (e: Recorded['events'][number]) => boolean) => r.events.findIndex(pred);
  const started = at((e) => e.type === 'output_audio_buffer.started' && e.response_id === id);
  const done = at((e) => e.type === 'response.done' && (e.response as { id: string }).id === id);
  const speech = r.events.findIndex((e, i) => i > started && e.type === 'input_audio_buffer.speech_started');
  const cleared = at((e) => e.type === 'output_audio_buffer.cleared' && e.response_id === id);
  // started → user speaks → cancelled → audio cleared.
  expect(started).toBeGreaterThanOrEqual(0);
  expect(speech).toBeGreaterThan(started);
  expect(done).toBeGreaterThan(speech);
  expect(cleared).toBeGreaterThan(speech);
  expect(r.agentAudio).toContain('cleared');
  // The answer was audible before the interruption.
  expect(r.maxOutputLevel).toBeGreaterThan(0.02);

  // The assistant item is truncated to what was actually played: some seconds, far less than the whole answer.
  const output = (r.events[done]!.response as { output: Array<{ id: string }> }).output.map((o) => o.id);
  const truncated = r.events.find((e) => e.type === 'conversation.item.truncated' && output.includes(e.item_id as string)) as { audio_end_ms: number } | undefined;
  expect(truncated, 'the interrupted assistant item is truncated').toBeDefined();
  expect(truncated!.audio_end_ms).toBeGreaterThan(1000);
  expect(truncated!.audio_end_ms).toBeLessThan(15_000);
  expect(r.states).toEqual(['connecting', 'connected']);
  await stopClient(page);
});
