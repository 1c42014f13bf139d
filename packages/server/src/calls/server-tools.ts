/**
 * Server-side tools: declared in the pinned session, run by the controller when the model calls
 * them (seen on the sideband), answered with `function_call_output` + `response.create`
 * (PROTOCOL §6). Their code, and whatever secrets it uses, stay on the server; their output does
 * not: it becomes a conversation item the page also receives.
 */
import type { FunctionToolDeclaration } from './types.js';

/** What a server tool gets besides its arguments. */
export interface ServerToolContext {
  /** The provider's call id, `rtc_…`. */
  callId: string;
  /** The model's id for this tool call, `call_…`. */
  toolCallId: string;
  /** The user id returned by `authorize`, or undefined for anonymous calls. */
  userId: string | undefined;
  /** The session's model. */
  model: string;
  /** Aborted when the tool times out or the call ends. */
  signal: AbortSignal;
}

/** A tool the server runs. `Args` is what `parameters` describes (parsed from the model's JSON). */
export interface ServerTool<Args = any> {
  /** Tool name, unique in the session: letters, digits, `_` and `-`, at most 64. */
  name: string;
  /** What the tool does, for the model. */
  description?: string;
  /** JSON Schema of the arguments. Default `{ type: "object", properties: {} }`. */
  parameters?: Record<string, unknown>;
  /**
   * Runs the tool. The return value is sent to the model as the output: a string as is,
   * anything else as JSON. Return `{ error: "…" }` for an expected failure the model should
   * hear about; a throw sends a generic failure (its message may hold details the page must not
   * see) and is reported as a `call.tool` event.
   */
  execute(args: Args, context: ServerToolContext): unknown;
  /** Give up after this many milliseconds. Default: the controller's `toolTimeoutMs`. */
  timeoutMs?: number;
}

/** How a server tool run ended. */
export interface ServerToolOutcome {
  /** The `function_call_output` sent to the model. */
  output: string;
  /** True when `execute` returned. */
  ok: boolean;
  /** `invalid_arguments`, `tool_failed` or `tool_timeout` when it did not. */
  error?: 'invalid_arguments' | 'tool_failed' | 'tool_timeout';
  /** The thrown value, for the log only. */
  cause?: unknown;
  /** Time the run took, in milliseconds. */
  durationMs: number;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Why `tools` cannot be used, or undefined. */
export function serverToolsProblem(tools: readonly ServerTool[]): string | undefined {
  const seen = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    if (typeof tool !== 'object' || tool === null || typeof tool.name !== 'string' || !NAME.test(tool.name)) {
      return `serverTools.${i}: the name must be 1–64 letters, digits, _ or -`;
    }
    if (typeof tool.execute !== 'function') return `serverTools.${i} (${tool.name}): execute must be a function`;
    if (seen.has(tool.name)) return `serverTools.${i}: "${tool.name}" is declared twice`;
    if (tool.parameters !== undefined && (typeof tool.parameters !== 'object' || tool.parameters === null)) {
      return `serverTools.${i} (${tool.name}): parameters must be a JSON Schema object`;
    }
    seen.add(tool.name);
  }
  return undefined;
}

/** The session declaration of a server tool: what the model and the page see (never `execute`). */
export function declarationOf(tool: ServerTool): FunctionToolDeclaration {
  return {
    type: 'function',
    name: tool.name,
    description: tool.description ?? '',
    parameters: JSON.parse(JSON.stringify(tool.parameters ?? { type: 'object', properties: {} })) as Record<string, unknown>,
  };
}

/**
 * Runs one call of `tool` with the model's raw JSON arguments, racing `execute` against the
 * timeout and the call's end. Never throws.
 */
export async function runServerTool(
  tool: ServerTool,
  rawArgs: string,
  context: Omit<ServerToolContext, 'signal'>,
  timeoutMs: number,
  callSignal: AbortSignal,
): Promise<ServerToolOutcome> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  let args: unknown;
  try {
    args = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
  } catch {
    return { output: JSON.stringify({ error: `The arguments for ${tool.name} were not valid JSON.` }), ok: false, error: 'invalid_arguments', durationMs: took() };
  }
  const controller = new AbortController();
  const onCallEnd = () => controller.abort(callSignal.reason);
  callSignal.addEventListener('abort', onCallEnd, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const result = await new Promise<unknown>((resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      timer = setTimeout(() => controller.abort(new DOMException(`${tool.name} timed out`, 'TimeoutError')), tool.timeoutMs ?? timeoutMs);
      Promise.resolve()
        .then(() => tool.execute(args, { ...context, signal: controller.signal }))
        .then(resolve, reject);
    });
    const output = typeof result === 'string' ? result : (JSON.stringify(result ?? null) ?? 'null');
    return { output, ok: true, durationMs: took() };
  } catch (thrown) {
    const timedOut = thrown instanceof DOMException && thrown.name === 'TimeoutError';
    return {
      output: JSON.stringify({ error: timedOut ? `${tool.name} took too long.` : `${tool.name} failed.` }),
      ok: false,
      error: timedOut ? 'tool_timeout' : 'tool_failed',
      cause: thrown,
      durationMs: took(),
    };
  } finally {
    clearTimeout(timer);
    callSignal.removeEventListener('abort', onCallEnd);
  }
}
