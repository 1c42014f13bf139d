/**
 * The rate-limit store interface: where token buckets live.
 */
import type { RateLimitRule, TakeResult } from './token-bucket.js';

/**
 * Where buckets live. `take` must be atomic per key: two concurrent takes on a bucket with one
 * token left must grant exactly one. Implement it for your own backend (Redis, Durable Objects,
 * a database row lock…), or use {@link MemoryRateLimitStore} / {@link RedisRateLimitStore}.
 */
export interface RateLimitStore {
  /** Takes one token from the bucket `key` governed by `rule`. Rejects if the backend is unavailable. */
  take(key: string, rule: RateLimitRule): Promise<TakeResult>;
}
