/**
 * Taking one concurrent-call slot for a request, as a {@link CallSlot} the controller keeps
 * alive and frees when the call ends.
 */
import type { CallSlotStore } from './concurrency.js';
import { CallHandlerError } from './errors.js';
import type { CallSlot } from './types.js';

/**
 * Takes a slot in `key`'s set (`user:<hash>` or `ip:<ip>`), or throws 429 `too_many_calls` when
 * `limit` calls are live, or 503 `rate_limiter_unavailable` when the store fails (fail closed,
 * like the rate limits).
 */
export async function acquireSlot(store: CallSlotStore, key: string, limit: number, ttlMs: number): Promise<CallSlot> {
  const holder = crypto.randomUUID();
  let result;
  try {
    result = await store.acquire(key, holder, limit, ttlMs);
  } catch (error) {
    throw new CallHandlerError('rate_limiter_unavailable', 'Call limits are unavailable; try again shortly.', { cause: error, retryAfterSeconds: 1 });
  }
  if (!result.acquired) {
    const who = key.startsWith('ip:') ? 'from this address' : 'for this account';
    throw new CallHandlerError('too_many_calls', `Too many voice calls at once ${who} (at most ${limit}); end one first.`);
  }
  let released = false;
  return {
    ttlMs,
    refresh: () => (released ? Promise.resolve(false) : store.refresh(key, holder, ttlMs)),
    release: async () => {
      if (released) return;
      released = true;
      await store.release(key, holder);
    },
  };
}
