/**
 * `createCallController`: the server's hand on each call made through `createCallHandler`. For
 * every call it attaches the sideband (a WebSocket with the real key), holds the pinned session
 * fields, runs the server tools, enforces the per-call limits and reports the call's events.
 * Node only (it keeps sockets and timers for as long as calls last).
 */
import { z } from 'zod';
import { deepestIssue, type IssueLike } from '../issue-path.js';
import type { RealtimeSessionConfig } from '../session.js';
import { CallRun } from './controlled-call.js';
import { CallHandlerError } from './errors.js';
import type { CallEvent } from './events.js';
import { createCallLog, type CallLoggerOption } from './log.js';
import { pinProblem, planPins } from './pins.js';
import { DEFAULT_PRICES, pricesFor, type ModelPrices } from './pricing.js';
import { declarationOf, serverToolsProblem, type ServerTool } from './server-tools.js';
import type { CallControllerLike, ControlledCall, FunctionToolDeclaration } from './types.js';

/** Options of {@link createCallController}. Every field is optional. */
export interface CallControllerOptions {
  /** Tools the server runs; declared in the pinned session, never sent to the page with their code. */
  serverTools?: readonly ServerTool[];
  /**
   * More session fields to hold, as dot paths (e.g. `"audio.output.voice"`, `"output_modalities"`,
   * `"audio.input.turn_detection"`). Always held when the session sets them: `instructions`,
   * `tools`, `tool_choice`, `max_output_tokens`.
   */
  pin?: readonly string[];
  /** Whether the page may declare tools of its own next to the pinned ones. Default true. */
  allowBrowserTools?: boolean;
  /** Hang up after this many seconds. Default: no limit (the provider's own is 60 minutes). */
  maxDurationS?: number;
  /** Hang up once the estimated cost reaches this many US dollars (checked after each response). */
  maxCostUsd?: number;
  /** Hang up after this many seconds with nobody speaking, no response and no tool running. */
  idleTimeoutS?: number;
  /** Prices per model name prefix, over the built-in table (Azure: key them by deployment name). */
  prices?: Readonly<Record<string, ModelPrices>>;
  /** Default timeout of a server tool in milliseconds. Default 15000. */
  toolTimeoutMs?: number;
  /** Hang up (`pin_violations`) after this many restores in one call. Default 50. */
  maxRestores?: number;
  /** Receives every call event; errors it throws are ignored. */
  onEvent?: (event: CallEvent) => void;
  /** Structured logging of the events: `"silent"` (default), `"json"` or a function. */
  logger?: CallLoggerOption;
}

/** A call the controller holds. */
export interface ActiveCall {
  callId: string;
  userId: string | undefined;
  model: string;
  /** `Date.now()` when the controller took the call. */
  startedAt: number;
  /** Cost so far in US dollars, when the model has a known price. */
  costUsd: number | undefined;
}

/** The controller: give it to `createCallHandler({ controller })`. */
export interface CallController extends CallControllerLike {
  /** The calls it holds now. */
  calls(): ActiveCall[];
  /** Hangs a call up (`call.ended` reason `hung_up`); resolves false for an unknown call. */
  hangup(callId: string): Promise<boolean>;
  /** Hangs up every call (reason `shutdown`) and resolves once each has ended. Later calls are hung up at once. */
  close(): Promise<void>;
}

const positive = (max: number) => z.number().positive().max(max).optional();
const price = z.number().min(0).max(1_000_000);
const optionsSchema = z.object({
  serverTools: z.array(z.any()).optional(),
  pin: z.array(z.string()).optional(),
  allowBrowserTools: z.boolean().optional(),
  maxDurationS: positive(86_400),
  maxCostUsd: positive(1_000_000),
  idleTimeoutS: positive(86_400),
  prices: z
    .record(
      z.string(),
      z.object({ textIn: price, textCachedIn: price, textOut: price, audioIn: price, audioCachedIn: price, audioOut: price, imageIn: price.optional(), imageCachedIn: price.optional() }),
    )
    .optional(),
  toolTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  maxRestores: z.number().int().min(1).max(10_000).optional(),
  onEvent: z.function().optional(),
  logger: z.union([z.literal('silent'), z.literal('json'), z.function()]).optional(),
});

/** Every option name `createCallController` accepts (kept in step with the README by a test). */
export const CONTROLLER_OPTION_NAMES: readonly string[] = Object.freeze(Object.keys(optionsSchema.shape));

const invalid = (message: string) => new CallHandlerError('invalid_options', `Invalid createCallController option ${message}.`);

/**
 * Creates a call controller. Options are validated here (`CallHandlerError` `invalid_options`).
 *
 * @example
 * ```ts
 * const controller = createCallController({
 *   serverTools: [{ name: 'lookup_order', parameters: { type: 'object', properties: { order_id: { type: 'string' } } },
 *                   execute: ({ order_id }) => orders.status(order_id) }],
 *   maxDurationS: 900, maxCostUsd: 2, idleTimeoutS: 120,
 *   onEvent: (e) => e.type === 'call.ended' && billing.record(e.userId, e.costUsd),
 * });
 * const calls = createCallHandler({ session, controller, authorize, maxConcurrentCallsPerUser: 2 });
 * ```
 */
export function createCallController(options: CallControllerOptions = {}): CallController {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const first = parsed.error.issues[0] as IssueLike | undefined;
    const issue = first === undefined ? { path: [], message: 'invalid' } : deepestIssue(first);
    throw invalid(`"${issue.path.map(String).join('.') || 'options'}": ${issue.message}`);
  }
  const serverTools = options.serverTools ?? [];
  const toolProblem = serverToolsProblem(serverTools);
  if (toolProblem !== undefined) throw invalid(toolProblem);
  const tools = new Map(serverTools.map((t) => [t.name, t]));
  const toolDeclarations: readonly FunctionToolDeclaration[] = Object.freeze(serverTools.map(declarationOf));
  const prices = { ...DEFAULT_PRICES, ...options.prices };
  const pinPaths = options.pin ?? [];
  const allowBrowserTools = options.allowBrowserTools ?? true;
  const runs = new Map<string, CallRun>();
  let closing = false;

  const emit = (event: CallEvent) => options.onEvent?.(event);

  return {
    toolDeclarations,

    checkSession(session: RealtimeSessionConfig): string | undefined {
      const problem = pinProblem(session, pinPaths);
      if (problem !== undefined) return problem;
      const model = typeof session.model === 'string' ? session.model : '';
      if (options.maxCostUsd !== undefined && pricesFor(model, prices) === undefined) {
        return `maxCostUsd needs the price of model "${model}": add it to prices`;
      }
      return undefined;
    },

    start(call: ControlledCall): void {
      const run = new CallRun(call, {
        tools,
        pins: planPins(call.session, pinPaths, allowBrowserTools),
        limits: { maxDurationS: options.maxDurationS, idleTimeoutS: options.idleTimeoutS, maxCostUsd: options.maxCostUsd },
        prices,
        toolTimeoutMs: options.toolTimeoutMs ?? 15_000,
        maxRestores: options.maxRestores ?? 50,
        emit,
        log: createCallLog(options.logger, call.upstream.secrets),
      });
      runs.set(call.callId, run);
      void run.ended.then(() => runs.get(call.callId) === run && runs.delete(call.callId));
      run.start();
      if (closing) void run.hangup('shutdown');
    },

    calls(): ActiveCall[] {
      return [...runs.values()].map((run) => ({
        callId: run.call.callId,
        userId: run.call.userId,
        model: run.call.model,
        startedAt: run.startedAt,
        costUsd: run.costUsd,
      }));
    },

    async hangup(callId: string): Promise<boolean> {
      const run = runs.get(callId);
      if (run === undefined) return false;
      await run.hangup('hung_up');
      return true;
    },

    async close(): Promise<void> {
      closing = true;
      await Promise.all([...runs.values()].map((run) => run.hangup('shutdown')));
    },
  };
}
