import { RtvoiceError, isRtvoiceError } from '../errors.js';
import type { ResponseTracker } from '../session/responses.js';
import type { Signals } from '../session/signals.js';
import type { ToolDefinition } from './types.js';

/** Payload of `toolCall`. */
export interface ToolCallEvent {
  callId: string;
  name: string;
  /** The parsed arguments (`undefined` when they were not valid JSON). */
  args: unknown;
}

/** Payload of `toolResult`. */
export interface ToolResultEvent {
  callId: string;
  name: string;
  /** What `execute` returned. */
  result: unknown;
  /** The string sent to the model as `function_call_output`. */
  output: string;
  /** Time `execute` took, in ms. */
  durationMs: number;
}

/** Payload of `toolError`. */
export interface ToolErrorEvent {
  callId: string;
  name: string;
  /** `tool_failed` or `tool_timeout`. */
  error: RtvoiceError;
}

/** What the runner needs from the session. */
export interface ToolHost {
  tracker: ResponseTracker;
  /** Sends a `function_call_output`; returns false when it could not be sent now (it will be replayed). */
  sendOutput(callId: string, output: string): boolean;
  /** The model was sent the output (or it is kept for replay): update history. */
  recordOutput(callId: string, output: string, failed: boolean): void;
  /** Emits `toolCall`, `toolResult` or `toolError` (the session also reports a `toolError` as `error`). */
  emit(type: 'toolCall', e: ToolCallEvent): void;
  emit(type: 'toolResult', e: ToolResultEvent): void;
  emit(type: 'toolError', e: ToolErrorEvent): void;
  context: unknown;
  /** A server-controlled call (`callUrl`): tools the page did not declare are run by the server. */
  serverTools: boolean;
}

/**
 * Runs the tools the model calls: each call once per `call_id`, arguments
 * parsed, `execute` raced against a timeout, the output sent back, then one
 * `response.create` once every pending call of that turn is answered and no
 * response is active. A slow call gets a spoken acknowledgement first.
 */
export class ToolRunner {
  readonly #tools: Map<string, ToolDefinition>;
  readonly #host: ToolHost;
  readonly #timeoutMs: number;
  readonly #ack: { afterMs: number; instructions: string } | false;
  readonly #seen = new Set<string>();
  readonly #pending = new Map<string, AbortController>();

  constructor(
    signals: Signals,
    tools: ToolDefinition[],
    host: ToolHost,
    timeoutMs: number,
    ack: { afterMs: number; instructions: string } | false,
  ) {
    this.#tools = new Map(tools.map((t) => [t.name, t]));
    this.#host = host;
    this.#timeoutMs = timeoutMs;
    this.#ack = ack;
    signals.on('functionCall', (call) => void this.#run(call.callId, call.name, call.arguments));
  }

  /** How many calls are running. */
  get running(): number {
    return this.#pending.size;
  }

  /** The tools as declared in `session.update` (without `execute`). */
  declarations(): Array<Record<string, unknown>> {
    return [...this.#tools.values()].map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description ?? '',
      parameters: t.parameters ?? { type: 'object', properties: {} },
    }));
  }

  /** Aborts every running call (session ended); `forget` also clears the de-duplication memory (new conversation). */
  cancelAll(forget: boolean): void {
    for (const controller of this.#pending.values()) controller.abort(new RtvoiceError('aborted', 'Aborted.'));
    this.#pending.clear();
    if (forget) this.#seen.clear();
  }

  async #run(callId: string, name: string, rawArgs: string): Promise<void> {
    // On a server-controlled call, a tool the page did not declare is the server's.
    if (this.#seen.has(callId) || (this.#host.serverTools && !this.#tools.has(name))) return;
    this.#seen.add(callId);
    const host = this.#host;
    const tool = this.#tools.get(name);
    let args: unknown;
    try {
      args = rawArgs.trim() ? JSON.parse(rawArgs) : {};
    } catch {
      args = undefined;
    }
    const controller = new AbortController();
    this.#pending.set(callId, controller);
    host.emit('toolCall', { callId, name, args });
    const started = performance.now();
    let ackTimer: ReturnType<typeof setTimeout> | undefined;
    let ack: Record<string, unknown> | undefined;
    let timeoutTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (!tool) throw new RtvoiceError('tool_failed', `No tool '${name}'.`);
      if (args === undefined) throw new RtvoiceError('tool_failed', `Invalid JSON arguments for '${name}'.`);
      if (this.#ack) {
        const { afterMs, instructions } = this.#ack;
        ack = { conversation: 'none', instructions, tools: [], metadata: { rtvoice: 'tool_ack' } };
        ackTimer = setTimeout(() => host.tracker.request(ack), afterMs);
      }
      // Settles with the tool, or with the abort (timeout, session ended), whichever comes first.
      const result = await new Promise((resolve, reject) => {
        const signal = controller.signal;
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        timeoutTimer = setTimeout(() => controller.abort(new RtvoiceError('tool_timeout', `'${name}' took over ${this.#timeoutMs} ms.`)), this.#timeoutMs);
        Promise.resolve()
          .then(() => tool.execute(args, { callId, signal, session: host.context as never }))
          .then(resolve, reject);
      });
      if (this.#pending.get(callId) !== controller) return;
      const output = typeof result === 'string' ? result : (JSON.stringify(result ?? null) ?? 'null');
      this.#finish(callId, output, false);
      host.emit('toolResult', { callId, name, result, output, durationMs: Math.round(performance.now() - started) });
    } catch (thrown) {
      if (this.#pending.get(callId) !== controller) return;
      const error = isRtvoiceError(thrown) && thrown.code !== 'aborted' ? thrown : new RtvoiceError('tool_failed', `'${name}' failed.`, { cause: thrown });
      const message = error.code === 'tool_timeout' ? 'timed out' : thrown instanceof Error ? thrown.message : String(thrown);
      this.#finish(callId, JSON.stringify({ error: `Tool '${name}' failed: ${message}` }), true);
      host.emit('toolError', { callId, name, error });
    } finally {
      clearTimeout(ackTimer);
      clearTimeout(timeoutTimer);
      if (ack) host.tracker.withdraw(ack);
    }
  }

  #finish(callId: string, output: string, failed: boolean): void {
    this.#pending.delete(callId);
    const host = this.#host;
    const sent = host.sendOutput(callId, output);
    host.recordOutput(callId, output, failed);
    // One response for the whole batch: wait for the other calls of the turn.
    if (sent && this.#pending.size === 0) host.tracker.request();
  }
}
