/**
 * Applies the per-IP and per-user rules of the `rateLimit` option to a request.
 */
import { DEFAULT_IPV6_PREFIX, ipRateLimitKey } from '../client-ip.js';
import { TokenHandlerError } from '../errors.js';
import { MemoryRateLimitStore } from './memory-store.js';
import type { RateLimitStore } from './store.js';
import type { RateLimitRule, TakeResult } from './token-bucket.js';

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
   * `rate_limiter_unavailable`; `true` lets the mint through unlimited. A store that does not
   * answer within `storeTimeoutMs` has failed.
   */
  failOpen?: boolean;
  /**
   * How long one store call may take, in milliseconds, 10–60000. Default 300: a Redis that hangs
   * (reconnecting, overloaded) costs each request at most this, then counts as a failure
   * (`failOpen` decides).
   */
  storeTimeoutMs?: number;
  /**
   * IPv6 clients share a per-IP bucket by network prefix of this many bits, 48–128. Default 64
   * (one subscriber usually holds a whole /64 and can use any address in it). IPv4-mapped IPv6
   * addresses count as their IPv4 address.
   */
  ipv6Prefix?: number;
}

/** Default `storeTimeoutMs`. */
export const DEFAULT_STORE_TIMEOUT_MS = 300;

/**
 * `store.take(key, rule)`, rejected with a `TimeoutError` when the store has not answered
 * within `timeoutMs`. The timer is always cleared.
 */
export function takeWithTimeout(store: RateLimitStore, key: string, rule: RateLimitRule, timeoutMs: number): Promise<TakeResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`The rate-limit store did not answer within ${timeoutMs} ms.`);
      error.name = 'TimeoutError';
      reject(error);
    }, timeoutMs);
  });
  return Promise.race([Promise.resolve().then(() => store.take(key, rule)), timeout]).finally(() => clearTimeout(timer));
}

/** Default per-IP rule. */
export const DEFAULT_PER_IP: Readonly<RateLimitRule> = Object.freeze({ burst: 20, perMinute: 10 });
/** Default per-user rule. */
export const DEFAULT_PER_USER: Readonly<RateLimitRule> = Object.freeze({ burst: 10, perMinute: 5 });

/**
 * A function that takes one token for a subject or throws 429 `rate_limited` / 503
 * `rate_limiter_unavailable`. For `'ip'` the subject is the client IP as resolved (IPv6 is
 * keyed by its prefix here); for `'user'` a pseudonymous user key.
 */
export type RateCheck = (kind: 'ip' | 'user', subject: string) => Promise<void>;

/**
 * Builds the check for the resolved `rateLimit` option: per-IP keys by IPv6 prefix, each store
 * call bounded by `storeTimeoutMs`, a failing or slow store → 503 (or allowed with `failOpen`).
 */
export function createRateCheck(options: RateLimitOptions | false | undefined): RateCheck {
  if (options === false) return () => Promise.resolve();
  const rules = {
    ip: options?.perIp === false ? undefined : (options?.perIp ?? DEFAULT_PER_IP),
    user: options?.perUser === false ? undefined : (options?.perUser ?? DEFAULT_PER_USER),
  };
  const store = options?.store ?? new MemoryRateLimitStore();
  const failOpen = options?.failOpen === true;
  const timeoutMs = options?.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const prefix = options?.ipv6Prefix ?? DEFAULT_IPV6_PREFIX;
  return async (kind, subject) => {
    const rule = rules[kind];
    if (rule === undefined) return;
    const key = kind === 'ip' ? ipRateLimitKey(subject, prefix) : subject;
    let result;
    try {
      result = await takeWithTimeout(store, `${kind}:${key}`, rule, timeoutMs);
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
