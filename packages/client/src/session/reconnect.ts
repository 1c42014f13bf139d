import { RtvoiceError, toRtvoiceError } from '../errors.js';
import { sleep } from './abort.js';

/** The resolved reconnection policy. */
export interface ReconnectPolicy {
  maxAttempts: number;
  /** Wait before attempt n (1-based). */
  backoffMs: (attempt: number) => number;
}

/**
 * Runs `attempt` until it succeeds, waiting `backoffMs(n)` before each try.
 * Rejects with the signal's reason when it aborts (`disconnect()`), or with
 * `reconnect_failed` (the last failure as `cause`) once the attempts run out
 * or one fails for good (not `retryable`).
 */
export async function reconnectLoop(
  policy: ReconnectPolicy,
  signal: AbortSignal,
  attempt: () => Promise<void>,
): Promise<void> {
  let last: RtvoiceError | undefined;
  for (let n = 1; n <= policy.maxAttempts; n += 1) {
    try {
      await sleep(policy.backoffMs(n), signal);
      return await attempt();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      last = toRtvoiceError(error, 'network_error', 'Reconnection failed.');
      // A refusal (a bad key, the server ending the call for a limit) will not change by retrying.
      if (!last.retryable) break;
    }
  }
  throw new RtvoiceError('reconnect_failed', `Reconnection failed (last: ${last?.code}).`, { cause: last });
}
