import { expect, test, type Page } from '@playwright/test';
import { useInterop } from '../support/interop-server.js';

// OpenAI's own @openai/agents-realtime WebSocket transport (OpenAIRealtimeWebSocket), unchanged,
// in Chromium against the sim's WebSocket endpoint: browser subprotocol auth with an ephemeral key,
// a typed question on the `tool-call` scenario, the tool round trip and the model's audio.

interface InteropWsState {
  status: string;
  error: string | null;
  protocol: string | null;
  events: string[];
  toolCalls: string[];
  transcripts: string[];
  audioEvents: number;
  audioBytes: number;
  maxAudioLevel: number;
}

const { sim, pagesUrl, state } = useInterop<InteropWsState>();

test('@openai/agents-realtime over WebSocket: connects with an ephemeral key, runs a tool round trip and receives model audio', async ({ page }) => {
  const query = new URLSearchParams({ sim: sim().url, scenario: 'tool-call' });
  await page.goto(`${pagesUrl()}/interop-ws.html?${query}`);
  await page.evaluate(() => (window as unknown as { startInterop: () => Promise<void> }).startInterop());
  let s = await state(page);
  expect(s.error, s.error ?? '').toBeNull();
  expect(s.status).toBe('connected');
  // The handshake selected the `realtime` subprotocol (Chromium requires one of those it offered).
  expect(s.protocol).toBe('realtime');
  await expect.poll(async () => (await state(page)).events, { timeout: 10_000 }).toEqual(expect.arrayContaining(['session.created', 'session.updated']));

  await page.evaluate(() =>
    (window as unknown as { interopSession: { sendMessage(t: string): void } }).interopSession.sendMessage('What is the weather in Paris?'),
  );
  await expect.poll(async () => (await state(page)).toolCalls, { timeout: 20_000 }).toEqual(['Paris']);
  await expect.poll(async () => (await state(page)).events, { timeout: 20_000 }).toEqual(
    expect.arrayContaining(['response.function_call_arguments.done', 'response.output_audio.delta', 'response.output_audio_transcript.done']),
  );
  // The answer after the tool call uses the tool's output.
  await expect.poll(async () => (await state(page)).transcripts.join(' | '), { timeout: 20_000 }).toContain('21 degrees');
  s = await state(page);
  expect(s.error).toBeNull();
  // Model audio arrived as the SDK's `audio` events: PCM16 24 kHz, clearly not silence.
  expect(s.audioEvents).toBeGreaterThan(5);
  expect(s.audioBytes).toBeGreaterThan(24_000 * 2); // over a second of audio
  expect(s.maxAudioLevel).toBeGreaterThan(0.05);
  // A WebSocket session gets no WebRTC playback events.
  expect(s.events.filter((t) => t.startsWith('output_audio_buffer.'))).toEqual([]);
  await page.evaluate(() => (window as unknown as { interopSession: { close(): void } }).interopSession.close());
});
