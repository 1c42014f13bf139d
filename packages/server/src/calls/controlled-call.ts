/**
 * One controlled call: its sideband, its pins, its server tools, its limits and its events, from
 * `start()` to the single `call.ended`. Node only (`ws`).
 */
import type WebSocket from 'ws';
import type { CallEndReason, CallEvent, CallEventMap } from './events.js';
import { CallTimers } from './limits.js';
import { eventLogEntry, type CallLog } from './log.js';
import { restoreUpdate, violations, type PinPlan } from './pins.js';
import { CallUsageMeter, type ModelPrices } from './pricing.js';
import { runServerTool, type ServerTool } from './server-tools.js';
import { connectSideband, SidebandError } from './sideband.js';
import { parseProviderError } from '../upstream.js';
import type { ControlledCall } from './types.js';

/** How long a restore may go unacknowledged before the pins are checked again. */
const RESTORE_ACK_MS = 5000;
/** How long to wait for the provider to close the sideband after a hangup. */
const HANGUP_CLOSE_MS = 3000;
/** Prefix of the `event_id`s this controller sends (their errors come back with them). */
const PIN_EVENT = 'rtvoice_pin_';
const TOOL_EVENT = 'rtvoice_tool_';

/** What a call needs from its controller. */
export interface CallRunSettings {
  tools: ReadonlyMap<string, ServerTool>;
  pins: PinPlan;
  limits: { maxDurationS: number | undefined; idleTimeoutS: number | undefined; maxCostUsd: number | undefined };
  prices: Readonly<Record<string, ModelPrices>>;
  toolTimeoutMs: number;
  maxRestores: number;
  emit: (event: CallEvent) => void;
  log: CallLog;
}

type Json = Record<string, any>;

/** The server tool calls of one response, answered with one `response.create` once all are done. */
interface ResponseTools {
  pending: number;
  outputs: number;
  done: boolean;
  completed: boolean;
}

/** A call under control. Create, then `start()`; it ends by itself and reports `call.ended` once. */
export class CallRun {
  readonly call: ControlledCall;
  readonly startedAt = Date.now();
  readonly ended: Promise<void>;
  readonly #s: CallRunSettings;
  readonly #meter: CallUsageMeter;
  readonly #timers: CallTimers;
  readonly #abort = new AbortController();
  readonly #responses = new Map<string, ResponseTools>();
  readonly #toolCalls = new Set<string>();
  #resolveEnded!: () => void;
  #ws: WebSocket | undefined;
  #isEnded = false;
  #hangupReason: CallEndReason | undefined;
  #slotTimer: ReturnType<typeof setInterval> | undefined;
  #lastSession: unknown;
  #inFlight: { covers: ReadonlySet<string>; timer: ReturnType<typeof setTimeout> } | undefined;
  #restores = 0;
  #sent = 0;

  constructor(call: ControlledCall, settings: CallRunSettings) {
    this.call = call;
    this.#s = settings;
    this.#meter = new CallUsageMeter(call.model, settings.prices);
    this.#timers = new CallTimers(settings.limits, (limit) => void this.hangup(limit));
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
  }

  /** Cost so far in US dollars (undefined without a known price). */
  get costUsd(): number | undefined {
    return this.#meter.totals.costUsd;
  }

  /** Reports `call.started`, keeps the concurrency slot alive and attaches the sideband. */
  start(): void {
    this.#emit('call.started', {});
    const slot = this.call.slot;
    if (slot !== undefined) {
      this.#slotTimer = setInterval(() => {
        slot.refresh().then(
          (held) => held || this.#error('slot_expired', 'The concurrency slot of the call expired before it was refreshed.'),
          () => this.#error('slot_refresh_failed', 'The concurrency slot of the call could not be refreshed.'),
        );
      }, Math.max(1000, Math.floor(slot.ttlMs / 3)));
    }
    void this.#attach();
  }

  /** Hangs up through the provider (idempotent) and resolves once the call has ended. */
  async hangup(reason: CallEndReason): Promise<void> {
    if (this.#isEnded || this.#hangupReason !== undefined) return this.ended;
    this.#hangupReason = reason;
    this.#timers.close();
    this.#emit('call.hangup', { reason });
    try {
      // Before the page sees the call drop: its reconnection must find the limit already noted.
      this.call.onHangup?.(reason);
    } catch {
      // The handler's bookkeeping must not break the controller.
    }
    const { upstream } = this.call;
    try {
      const res = await upstream.fetch(upstream.hangupUrl, { method: 'POST', headers: { ...upstream.headers }, signal: AbortSignal.timeout(upstream.timeoutMs) });
      const text = await res.text().catch(() => '');
      // 404: the call had already ended.
      if (!res.ok && res.status !== 404) this.#error('hangup_failed', `The provider refused the hangup (HTTP ${res.status}${codeSuffix(parseProviderError(text).upstreamCode)}).`);
    } catch {
      this.#error('hangup_failed', 'The provider could not be reached to hang up.');
    }
    const ws = this.#ws;
    if (ws !== undefined && ws.readyState !== ws.CLOSED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, HANGUP_CLOSE_MS);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.#end(reason);
    return this.ended;
  }

  async #attach(): Promise<void> {
    let ws: WebSocket;
    try {
      ws = await connectSideband(this.call.upstream, () => this.#isEnded || this.#hangupReason !== undefined);
    } catch (error) {
      if (this.#isEnded || this.#hangupReason !== undefined) return;
      const e = error instanceof SidebandError ? error : new SidebandError('The sideband could not be opened.');
      this.#error('sideband_failed', `${e.message}${e.code === undefined || e.status === undefined ? '' : ` (${e.code})`}`);
      await this.hangup('sideband_failed');
      return;
    }
    if (this.#isEnded || this.#hangupReason !== undefined) {
      ws.on('error', () => {});
      ws.close(1000);
      return;
    }
    this.#ws = ws;
    ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()));
    ws.on('close', (code) => this.#onClose(code));
    ws.on('error', () => {}); // A close follows; it decides.
    // The pins right away; `tools` waits for the first session.updated, so the page's own are kept.
    this.#sendPins(false);
  }

  #onMessage(text: string): void {
    let event: Json;
    try {
      event = JSON.parse(text) as Json;
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return;
    this.#timers.event(event.type, event);
    if (event.type === 'session.updated') {
      this.#lastSession = event.session;
      this.#checkPins();
    } else if (event.type === 'response.function_call_arguments.done') {
      this.#onFunctionCall(event);
    } else if (event.type === 'response.done') {
      this.#onResponseDone(event.response ?? {});
    } else if (event.type === 'error') {
      this.#onError(event.error ?? {});
    }
  }

  #onClose(code: number): void {
    if (this.#isEnded) return;
    if (this.#hangupReason !== undefined) this.#end(this.#hangupReason);
    else if (code === 1000 || code === 1001) this.#end('browser_gone');
    else {
      this.#error('sideband_lost', `The sideband closed with code ${code}.`);
      void this.hangup('sideband_lost');
    }
  }

  #send(event: Json): void {
    if (this.#ws?.readyState === this.#ws?.OPEN) this.#ws?.send(JSON.stringify(event));
  }

  #sendPins(withTools: boolean): void {
    clearTimeout(this.#inFlight?.timer);
    const session = restoreUpdate(this.#s.pins, this.#lastSession, withTools);
    const covers = new Set(this.#s.pins.fields.map((f) => f.path));
    if (withTools && this.#s.pins.tools !== undefined) covers.add('tools');
    const timer = setTimeout(() => {
      this.#inFlight = undefined;
      this.#checkPins();
    }, RESTORE_ACK_MS);
    this.#inFlight = { covers, timer };
    this.#send({ type: 'session.update', event_id: `${PIN_EVENT}${++this.#sent}`, session });
  }

  /** Puts the pins back when the last session seen lost one (see `pins.ts` and the README). */
  #checkPins(): void {
    if (this.#isEnded || this.#hangupReason !== undefined || this.#lastSession === undefined) return;
    const fields = violations(this.#s.pins, this.#lastSession);
    if (fields.length === 0) {
      clearTimeout(this.#inFlight?.timer);
      this.#inFlight = undefined;
      return;
    }
    // An update already on its way puts these back: its session.updated will tell.
    if (this.#inFlight !== undefined && fields.every((f) => this.#inFlight!.covers.has(f))) return;
    this.#restores += 1;
    if (this.#restores > this.#s.maxRestores) {
      void this.hangup('pin_violations');
      return;
    }
    this.#emit('call.session_restored', { fields, restores: this.#restores });
    this.#sendPins(true);
  }

  #onFunctionCall(event: Json): void {
    const tool = typeof event.name === 'string' ? this.#s.tools.get(event.name) : undefined;
    const toolCallId = event.call_id;
    // Not a server tool: the page's own, it answers it.
    if (tool === undefined || typeof toolCallId !== 'string' || this.#toolCalls.has(toolCallId)) return;
    this.#toolCalls.add(toolCallId);
    const responseId = typeof event.response_id === 'string' ? event.response_id : '';
    const entry = this.#responses.get(responseId) ?? { pending: 0, outputs: 0, done: false, completed: false };
    this.#responses.set(responseId, entry);
    entry.pending += 1;
    this.#timers.tool(1);
    const context = { callId: this.call.callId, toolCallId, userId: this.call.userId, model: this.call.model };
    const args = typeof event.arguments === 'string' ? event.arguments : '';
    void runServerTool(tool, args, context, this.#s.toolTimeoutMs, this.#abort.signal).then((outcome) => {
      this.#timers.tool(-1);
      if (this.#isEnded) return;
      this.#emit('call.tool', {
        name: tool.name,
        toolCallId,
        ok: outcome.ok,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        durationMs: outcome.durationMs,
      });
      this.#send({ type: 'conversation.item.create', event_id: `${TOOL_EVENT}${++this.#sent}`, item: { type: 'function_call_output', call_id: toolCallId, output: outcome.output } });
      entry.pending -= 1;
      entry.outputs += 1;
      this.#maybeRespond(responseId);
    });
  }

  #onResponseDone(response: Json): void {
    if (response.usage !== undefined && response.usage !== null) {
      this.#meter.add(response.usage);
      const totals = this.#meter.totals;
      this.#emit('call.usage', totals);
      const max = this.#s.limits.maxCostUsd;
      if (max !== undefined && totals.costUsd !== undefined && totals.costUsd >= max) void this.hangup('max_cost');
    }
    const entry = typeof response.id === 'string' ? this.#responses.get(response.id) : undefined;
    if (entry !== undefined) {
      entry.done = true;
      entry.completed = response.status === 'completed';
      this.#maybeRespond(response.id as string);
    }
  }

  /** One `response.create` once every server tool of a completed response has its output (§6.1 step 4). */
  #maybeRespond(responseId: string): void {
    const entry = this.#responses.get(responseId);
    if (entry === undefined || !entry.done || entry.pending > 0) return;
    this.#responses.delete(responseId);
    // A response cut short (barge-in, cancel) is followed by the user's turn, not by ours.
    if (entry.outputs > 0 && entry.completed && this.#hangupReason === undefined) {
      this.#send({ type: 'response.create', event_id: `${TOOL_EVENT}${++this.#sent}` });
    }
  }

  #onError(error: Json): void {
    const eventId = typeof error.event_id === 'string' ? error.event_id : '';
    const code = typeof error.code === 'string' ? error.code : 'unknown';
    if (eventId.startsWith(PIN_EVENT)) {
      clearTimeout(this.#inFlight?.timer);
      this.#inFlight = undefined;
      this.#error('pin_rejected', `The provider refused the pinned session.update (${code}).`);
    } else if (eventId.startsWith(TOOL_EVENT) && code !== 'conversation_already_has_active_response') {
      // An active response (the page's, or the user's turn) already follows the outputs.
      this.#error('tool_output_rejected', `The provider refused a server tool's output or response (${code}).`);
    }
  }

  #error(code: string, message: string): void {
    this.#emit('call.error', { code, message });
  }

  #end(reason: CallEndReason): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#timers.close();
    clearInterval(this.#slotTimer);
    clearTimeout(this.#inFlight?.timer);
    this.#abort.abort(new Error('The call ended.'));
    const ws = this.#ws;
    if (ws !== undefined) {
      ws.removeAllListeners('message');
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
    }
    void this.call.slot?.release().catch(() => {});
    const durationS = Math.round((Date.now() - this.startedAt) / 100) / 10;
    this.#emit('call.ended', { reason, durationS, ...this.#meter.totals });
    this.#resolveEnded();
  }

  #emit<K extends keyof CallEventMap>(type: K, payload: Omit<CallEventMap[K], 'callId' | 'userId' | 'model'>): void {
    const { callId, userId, model } = this.call;
    const event = { type, callId, userId, model, ...payload } as CallEvent;
    this.#s.log(eventLogEntry(event, this.call.userTag));
    try {
      this.#s.emit(event);
    } catch {
      // A failing listener must not break the call's control.
    }
  }
}

function codeSuffix(code: string | undefined): string {
  return code === undefined ? '' : `, ${code}`;
}
