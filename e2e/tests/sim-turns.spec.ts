import { expect, test, type Page } from '@playwright/test';
import { chromiumArgs } from '../support/chromium.js';
import { recorded, sendEvent, startClient, stopClient } from '../support/client-page.js';
import { CONTINUOUS_WAV } from '../support/paths.js';
import { useStack } from '../support/stack.js';

// A fake mic that speaks almost continuously: any window of a few seconds holds speech.
test.use({ launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs(CONTINUOUS_WAV) } });

const stack = useStack();

async function turnDetectionOff(page: Page): Promise<void> {
  await sendEvent(page, { type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  await expect
    .poll(async () => (await recorded(page)).events.filter((e) => e.type === 'session.updated').map((e) => (e.session as { audio: { input: { turn_detection: unknown } } }).audio.input.turn_detection))
    .toContain(null);
}

test('push-to-talk: with turn detection off, nothing happens until the client commits and asks for a response', async ({ page }) => {
  await startClient(page, stack().url);
  await turnDetectionOff(page);
  const before = (await recorded(page)).eventTypes.length;
  // Press: clear what was buffered. Hold for 2.5 s of continuous speech.
  await sendEvent(page, { type: 'input_audio_buffer.clear' });
  await page.waitForTimeout(2500);
  let r = await recorded(page);
  const held = r.eventTypes.slice(before);
  expect(held).toContain('input_audio_buffer.cleared');
  expect(held).not.toContain('input_audio_buffer.speech_started');
  expect(held).not.toContain('response.created');
  // Release: commit and ask for the answer.
  await sendEvent(page, { type: 'input_audio_buffer.commit' });
  await sendEvent(page, { type: 'response.create' });
  await expect.poll(async () => (await recorded(page)).responses.map((x) => x.status), { timeout: 15_000 }).toContain('completed');
  r = await recorded(page);
  expect(r.eventTypes.slice(before)).toEqual(expect.arrayContaining(['input_audio_buffer.committed', 'conversation.item.added', 'response.created', 'response.done']));
  const said = r.transcripts.filter((t) => t.role === 'assistant').map((t) => t.text);
  const seconds = Number(/you spoke for (\d+(?:\.\d)?) s/.exec(said.join(' '))?.[1]);
  // The parrot answers with what was committed: about the 2.5 s held.
  expect(seconds).toBeGreaterThan(1);
  expect(seconds).toBeLessThan(4);
  await expect.poll(async () => (await recorded(page)).maxOutputLevel, { timeout: 10_000 }).toBeGreaterThan(0.02);
  await stopClient(page);
});

test('a scripted tool call round trip: the client runs the declared tool, answers the call and the agent speaks from its output', async ({ page }) => {
  await startClient(page, stack().url, { tokenQuery: 'sim_scenario=tool-call', tool: 'weather' });
  await turnDetectionOff(page);
  await page.evaluate(() => (window as unknown as { rec: { session: { sendText(t: string): void } } }).rec.session.sendText('What is the weather in Paris?'));
  await expect.poll(async () => (await recorded(page)).eventTypes, { timeout: 15_000 }).toContain('response.function_call_arguments.done');
  let r = await recorded(page);
  const call = r.events.find((e) => e.type === 'response.function_call_arguments.done') as unknown as { call_id: string; name: string; arguments: string };
  expect(call.name).toBe('get_weather');
  expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
  await expect.poll(async () => (await recorded(page)).transcripts.filter((t) => t.role === 'assistant').map((t) => t.text), { timeout: 15_000 }).toContain(
    'In Paris it is 21 degrees and sunny.',
  );
  r = await recorded(page);
  // The client sent the output for that call, and asked for the answer only after the calling response was done.
  const output = r.sent.find((s) => s.event.type === 'conversation.item.create' && (s.event.item as { type: string }).type === 'function_call_output')!;
  expect(output.event.item).toMatchObject({ call_id: call.call_id });
  const callingDone = r.eventAt[r.events.findIndex((e) => e.type === 'response.done')]!;
  const answerCreate = r.sent.filter((s) => s.event.type === 'response.create').at(-1)!;
  expect(answerCreate.t).toBeGreaterThanOrEqual(callingDone);
  expect(answerCreate.t).toBeGreaterThanOrEqual(output.t);
  expect(r.errors).toEqual([]);
  await stopClient(page);
});
