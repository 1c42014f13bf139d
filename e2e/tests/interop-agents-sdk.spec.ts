import { expect, test, type Page } from '@playwright/test';
import { useInterop } from '../support/interop-server.js';

interface InteropState {
  status: string;
  error: string | null;
  events: string[];
  toolCalls: string[];
  transcripts: string[];
  maxLevel: number;
}

const { sim, pagesUrl, state } = useInterop<InteropState>();

async function open(page: Page, scenario?: string, muted = false): Promise<void> {
  const query = new URLSearchParams({ sim: sim().url, ...(scenario && { scenario }), ...(muted && { muted: '1' }) });
  await page.goto(`${pagesUrl()}/interop.html?${query}`);
  await page.evaluate(() => (window as unknown as { startInterop: () => Promise<void> }).startInterop());
  const s = await state(page);
  expect(s.error, s.error ?? '').toBeNull();
  expect(s.status).toBe('connected');
}

test('@openai/agents-realtime connects to the sim unchanged and gets a spoken turn answered with audio', async ({ page }) => {
  await open(page);
  await expect.poll(async () => (await state(page)).events, { timeout: 20_000 }).toEqual(
    expect.arrayContaining(['session.created', 'session.updated', 'input_audio_buffer.speech_started', 'input_audio_buffer.committed', 'response.done']),
  );
  await expect.poll(async () => (await state(page)).maxLevel, { timeout: 15_000 }).toBeGreaterThan(0.02);
  await expect.poll(async () => (await state(page)).transcripts.join(' | '), { timeout: 15_000 }).toContain('(sim) you spoke for');
  expect((await state(page)).error).toBeNull();
  await page.evaluate(() => (window as unknown as { interopSession: { close(): void } }).interopSession.close());
});

test('@openai/agents-realtime runs a tool call round trip scripted by a sim scenario', async ({ page }) => {
  // The mic is muted so that only the typed question starts a turn.
  await open(page, 'tool-call', true);
  await page.evaluate(() => (window as unknown as { interopSession: { sendMessage(t: string): void } }).interopSession.sendMessage('What is the weather in Paris?'));
  await expect.poll(async () => (await state(page)).toolCalls, { timeout: 20_000 }).toEqual(['Paris']);
  await expect.poll(async () => (await state(page)).events, { timeout: 20_000 }).toEqual(
    expect.arrayContaining(['response.function_call_arguments.done', 'response.output_audio_transcript.done']),
  );
  // The answer after the tool call uses the tool's output.
  await expect.poll(async () => (await state(page)).transcripts.join(' | '), { timeout: 20_000 }).toContain('21 degrees');
  expect((await state(page)).error).toBeNull();
  await page.evaluate(() => (window as unknown as { interopSession: { close(): void } }).interopSession.close());
});
