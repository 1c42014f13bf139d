import type { Page } from '@playwright/test';


/** What `pages/client.js` recorded, as returned by `snapshot()`. */
export interface Recorded {
  states: string[];
  eventTypes: string[];
  events: Array<{ type: string; [k: string]: unknown }>;
  errors: Array<{ code: string; message: string; status?: number; retryable: boolean }>;
  transcripts: Array<{ role: string; text: string }>;
  responses: Array<{ status: string; reason?: string; usage?: Record<string, unknown> }>;
  agentAudio: string[];
  metrics: { tokenMs: number; micMs: number; dataChannelOpenMs: number; totalMs: number } | null;
  maxOutputLevel: number;
  connectError: { code: string; message: string; status?: number; retryable: boolean } | null;
  micState: string | null;
  /** readyState of every mic track the page was ever given. */
  openedMicStates: string[];
}

export interface StartOptions {
  tokenQuery?: string;
  tokenDelayMs?: number;
  connectTimeoutMs?: number;
}

/** Opens the client test page on `base` and starts a session. */
export async function startClient(page: Page, base: string, options: StartOptions = {}): Promise<void> {
  await page.goto(`${base}/client.html`);
  await page.evaluate((o) => (window as unknown as { start: (o: StartOptions) => Promise<void> }).start(o), options);
}

/** The page's record, now. */
export function recorded(page: Page): Promise<Recorded> {
  return page.evaluate(() => (window as unknown as { snapshot: () => Recorded }).snapshot());
}

/** Sends a raw client event through the session. */
export function sendEvent(page: Page, event: Record<string, unknown>): Promise<void> {
  return page.evaluate((e) => (window as unknown as { rec: { session: { send(e: unknown): void } } }).rec.session.send(e), event);
}

/** Ends the session from the page. */
export function stopClient(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as { stop: () => void }).stop());
}
