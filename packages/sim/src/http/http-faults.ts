import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultEndpoint, FaultSpec, HttpFault } from '../faults/fault-spec.js';
import type { SimContext } from './context.js';
import { errorForStatus, sendError } from './respond.js';

/** Default time an injected `timeout` keeps the request hanging before dropping the socket. */
export const FAULT_TIMEOUT_MS = 30_000;

/** One source of faults for a request, in increasing precedence. */
export interface FaultSource {
  /** Counter namespace for `*N` limits (e.g. `global`, `key:ek_…`). */
  name: string;
  spec: FaultSpec | undefined;
}

/**
 * Applies the HTTP fault of `endpoint` from the highest-precedence source
 * that defines one. Resolves `true` when the request was answered (or left
 * hanging) by the fault, `false` to continue normally.
 */
export async function applyHttpFault(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: FaultEndpoint,
  sources: FaultSource[],
): Promise<boolean> {
  const picked = pickHttpFault(ctx, endpoint, sources);
  if (!picked) return false;
  if (picked.delayMs !== undefined) {
    if (!(await ctx.timers.sleep(picked.delayMs))) return true;
  }
  if (picked.timeout) {
    ctx.logger.info('fault: request left hanging', { endpoint });
    ctx.timers.set(() => res.destroy(), FAULT_TIMEOUT_MS);
    return true;
  }
  if (picked.status !== undefined) {
    ctx.logger.info('fault: injected status', { endpoint, status: picked.status });
    sendError(req, res, picked.status, errorForStatus(picked.status, endpoint !== 'client_secrets' && endpoint !== 'sessions'));
    return true;
  }
  return false;
}

/**
 * The HTTP fault of `endpoint` from the highest-precedence source that
 * defines one and has uses left (`*N`); counts the use.
 */
export function pickHttpFault(
  ctx: Pick<SimContext, 'faultUses'>,
  endpoint: FaultEndpoint,
  sources: FaultSource[],
): HttpFault | undefined {
  for (let i = sources.length - 1; i >= 0; i--) {
    const source = sources[i];
    const fault = source?.spec?.http?.[endpoint];
    if (!source || !fault) continue;
    if (fault.times !== undefined) {
      const key = `${source.name}:${endpoint}`;
      const used = ctx.faultUses.get(key) ?? 0;
      if (used >= fault.times) continue;
      ctx.faultUses.set(key, used + 1);
    }
    return fault;
  }
  return undefined;
}
