/**
 * Applies the per-IP and per-user rules of the `rateLimit` option to a request.
 */
import { TokenHandlerError } from '../errors.js';
import { MemoryRateLimitStore } from './memory-store.js';
import type { RateLimitStore } from './store.js';
import type { RateLimitRule } from './token-bucket.js';

/** The `rateLimit` option. Every field is optional; pass `rateLimit: false` to turn limits off. */
export interface RateLimitOptions {
  /** Per client IP (see `trustProxy`). Default `{ burst: 20, perMinute: 10 }`; `false` disables it. */
  perIp?: RateLimitRule | false;
  /** Per user id from `authorize`. Default `{ burst: 10, perMinute: 5 }`; `false` disables it. */
  perUser?: RateLimitRule | false;
  /** Where buckets live. Default: a new {@link MemoryRateLimitStore} per handler. */
  store?: RateLimitStore;
  /**
   * What to do when the store fails (Redis down): `false` (default) refuses with 503
   * `rate_limiter_unavailable`; `true` lets the mint through unlimited.
   */
  failOpen?: boolean;
}

/** Default per-IP rule. */
export const DEFAULT_PER_IP: Readonly<RateLimitRule> = Object.freeze({ burst: 20, perMinute: 10 });
/** Default per-user rule. */
export const DEFAULT_PER_USER: Readonly<RateLimitRule> = Object.freeze({ burst: 10, perMinute: 5 });

/** A function that takes one token for a subject or throws 429 / 503. */
export type RateCheck = (kind: 'ip' | 'user', subject: string) => Promise<void>;

/** Builds the check for the resolved `rateLimit` option. */
export function createRateCheck(options: RateLimitOptions | false | undefined): RateCheck {
  if (options === false) return () => Promise.resolve();
  const rules = {
    ip: options?.perIp === false ? undefined : (options?.perIp ?? DEFAULT_PER_IP),
    user: options?.perUser === false ? undefined : (options?.perUser ?? DEFAULT_PER_USER),
  };
  const store = options?.store ?? new MemoryRateLimitStore();
  const failOpen = options?.failOpen === true;
  return async (kind, subject) => {
    const rule = rules[kind];
    if (rule === undefined) return;
    let result;
    try {
      result = await store.take(`${kind}:${subject}`, rule);
    } catch (error) {
      if (failOpen) return;
      throw new TokenHandlerError('rate_limiter_unavailable', 'Rate limiting is unavailable; try again shortly.', {
        cause: error,
        retryAfterSeconds: 1,
      });
    }
    if (!result.allowed) {
      const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      const who = kind === 'ip' ? 'from this address' : 'for this account';
      throw new TokenHandlerError('rate_limited', `Too many voice sessions ${who}; try again in ${seconds} s.`, {
        retryAfterSeconds: seconds,
      });
    }
  };
}
