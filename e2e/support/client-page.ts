import { expect, type Page } from '@playwright/test';

type ServerEvent = { type: string; [k: string]: unknown };

/** A history entry as `session.history` returns it. */
export type HistoryItem =
  | { type: 'message'; id: string; role: string; text: string; status: string; interrupted?: boolean; audioEndMs?: number; responseId?: string }
  | { type: 'function_call'; id: string; callId: string; name: string; arguments: string; output?: string; status: string };

/** What `pages/client.js` recorded, as returned by `snapshot()`. */
export interface Recorded {
  states: string[];
  eventTypes: string[];
  events: ServerEvent[];
  /** `performance.now()` at which each entry of `events` arrived. */
  eventAt: number[];
  errors: Array<{ code: string; message: string; status?: number; retryable: boolean; cause?: string; causeStatus?: number; causeMessage?: string }>;
  transcripts: Array<{ role: string; text: string; itemId: string; responseId?: string; t: number }>;
  responses: Array<{ responseId: string; status: string; reason?: string; usage?: Record<string, unknown>; t: number }>;
  agentAudio: string[];
  metrics: { tokenMs: number; micMs: number; dataChannelOpenMs: number; totalMs: number; prepared?: string } | null;
  metricsEvents: Array<{ kind: string; t: number; [k: string]: unknown }>;
  maxOutputLevel: number;
  levels: Array<{ t: number; input: number; output: number; monitor: number | null; state: string }>;
  connectError: { code: string; message: string; status?: number; retryable: boolean } | null;
  micState: string | null;
  /** readyState of every mic track the page was ever given. */
  openedMicStates: string[];
  toolCalls: Array<{ callId: string; name: string; args: unknown; t: number }>;
  toolResults: Array<{ callId: string; name: string; result: unknown; output: string; durationMs: number; t: number }>;
  toolErrors: Array<{ callId: string; name: string; code: string; t: number }>;
  interrupted: Array<{ source: string; responseId?: string; itemId?: string; audioEndMs: number; t: number; remoteTrackEnabled: boolean | null; history: HistoryItem[] }>;
  speaking: Array<{ who: string; t: number }>;
  usageEvents: Usage[];
  historyChanges: number;
  tokenRequests: Array<{ t: number; url: string }>;
  /** Client events sent on the data channels, with the index of their peer connection (`'ws'`: on a WebSocket). */
  sent: Array<{ t: number; pc: number | 'ws'; event: ServerEvent }>;
  /** `input_audio_buffer.append` events sent on WebSockets. */
  appends: number;
  /** With `transport: 'auto'`: each fallback to the WebSocket and why. */
  fallbacks?: Array<{ code: string; t: number }>;
}

/** `session.usage`: the service's usage shape, summed over the responses, with the model and its price. */
export interface Usage {
  responses: number;
  model?: string;
  costUsd?: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_token_details?: {
    text_tokens: number;
    audio_tokens: number;
    image_tokens?: number;
    cached_tokens: number;
    cached_tokens_details?: { text_tokens: number; audio_tokens: number; image_tokens?: number };
  };
  output_token_details?: { text_tokens: number; audio_tokens: number };
}

/** The session's getters (`window.sessionInfo()`). */
export interface SessionInfo {
  state: string;
  muted: boolean;
  pushToTalk: boolean;
  speaking: string;
  history: HistoryItem[];
  usage: Usage;
  metrics: { connect?: Record<string, number | boolean | string>; turns: Array<Record<string, unknown>> };
  mic: { id: string; enabled: boolean; readyState: string; deviceId?: string } | null;
  remote: { id: string; enabled: boolean; readyState: string } | null;
  audioElement: { paused: boolean; hasSource: boolean } | null;
}

export interface PeerConnectionInfo {
  connectionState: string;
  signalingState: string;
  iceConnectionState: string;
  offers: number;
  localDescriptions: number;
  /** `negotiationneeded` events (the page never acts on them). */
  negotiationNeeded: number;
  senderTrackIds: Array<string | null>;
  channels: string[];
}

export interface StartOptions {
  tokenQuery?: string;
  /** Added to the first token request only. */
  firstTokenQuery?: string;
  tokenDelayMs?: number;
  connectTimeoutMs?: number;
  /** A tool the page declares: `weather` is `get_weather`, answering after `toolDelayMs`. */
  tool?: 'weather';
  toolDelayMs?: number;
  toolAck?: { afterMs?: number; instructions?: string } | false;
  pushToTalk?: boolean;
  /** `mute()` before `connect()`. */
  muted?: boolean;
  reconnect?: { maxAttempts?: number; backoffMs?: number } | false;
  session?: Record<string, unknown>;
  /** Default WebRTC; `websocket` and `auto` use the widget bundle's factories. */
  transport?: 'websocket' | 'auto';
  /** With `auto`: how long WebRTC may take before the fallback. */
  webrtcTimeoutMs?: number;
  /** Connect through this call endpoint (`createCallHandler`) instead of `/api/token`. */
  callUrl?: string;
  /** Headers of the page's requests (`tokenRequest.headers`), e.g. the user id the test server's `authorize` reads. */
  requestHeaders?: Record<string, string>;
  /** Prepare first (`'local'`: mic, token and offer; `'connection'`: the whole connection), then connect() `prepareWaitMs` later. */
  prepare?: 'local' | 'connection';
  prepareWaitMs?: number;
}

type Win = Record<string, (...args: never[]) => unknown>;

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

/** Calls a session method in the page (awaited); a throw comes back as `{ error: code, message }`. */
export function call<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([m, a]) => (window as unknown as { call: (m: string, ...a: unknown[]) => Promise<T> }).call(m as string, ...(a as unknown[])), [method, args] as const);
}

/** The session's getters, now. */
export function sessionInfo(page: Page): Promise<SessionInfo> {
  return page.evaluate(() => (window as unknown as { sessionInfo: () => SessionInfo }).sessionInfo());
}

/** Every RTCPeerConnection the page created, and its state now. */
export function peerConnections(page: Page): Promise<PeerConnectionInfo[]> {
  return page.evaluate(() => (window as unknown as { peerConnections: () => PeerConnectionInfo[] }).peerConnections());
}

/** Runs a named page function (see `pages/client.js`). */
export function pageFn<T = unknown>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([n, a]) => (window as unknown as Win)[n as string]!(...(a as never[])) as T, [name, args] as const);
}

/** Waits until the page recorded something that satisfies `pick` (non-undefined), and returns it. */
export async function waitFor<T>(page: Page, pick: (r: Recorded) => T | undefined, timeout = 20_000, message?: string): Promise<T> {
  let found: T | undefined;
  await expect
    .poll(
      async () => {
        found = pick(await recorded(page));
        return found !== undefined;
      },
      { timeout, message },
    )
    .toBe(true);
  return found!;
}

/** Server events of `type`, with the time they arrived. */
export function eventsOf(r: Recorded, type: string): Array<ServerEvent & { at: number }> {
  return r.events.flatMap((e, i) => (e.type === type ? [{ ...e, at: r.eventAt[i]! }] : []));
}

/** Client events of `type` the page sent. */
export function sentOf(r: Recorded, type: string): Recorded["sent"] {
  return r.sent.filter((s) => s.event.type === type);
}

/** The highest output level sampled in [from, to]. */
export function maxOutput(r: Recorded, from: number, to = Infinity): number {
  return Math.max(0, ...r.levels.filter((l) => l.t >= from && l.t <= to).map((l) => l.output));
}

/** Assistant transcripts (final), in order. */
export function assistantSaid(r: Recorded): string[] {
  return r.transcripts.filter((t) => t.role === 'assistant').map((t) => t.text);
}
