/**
 * The default, in-process rate-limit store. Exact (JavaScript runs each take to completion),
 * but per process: several instances behind a load balancer each keep their own buckets. Use
 * {@link RedisRateLimitStore} to share limits.
 */
import type { RateLimitStore } from './store.js';
import { msUntilFull, takeToken, type BucketState, type RateLimitRule, type TakeResult } from './token-bucket.js';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * Most buckets kept. Beyond it the least recently used bucket is dropped (it has usually
   * refilled anyway), so a flood of new IPs cannot exhaust memory. Default 100000.
   */
  maxKeys?: number;
  /** Clock in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  state: BucketState;
  fullAtMs: number;
}

/** An in-memory {@link RateLimitStore}. No timers: nothing to close. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, Entry>();
  readonly #maxKeys: number;
  readonly #now: () => number;

  /** @param options - size bound and clock. */
  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.#maxKeys = Math.max(1, options.maxKeys ?? 100_000);
    this.#now = options.now ?? Date.now;
  }

  /** Number of buckets currently held. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token; synchronous under the hood, so exact under any concurrency. */
  take(key: string, rule: RateLimitRule): Promise<TakeResult> {
    return Promise.resolve(this.takeSync(key, rule));
  }

  /** The synchronous form of {@link MemoryRateLimitStore.take}. */
  takeSync(key: string, rule: RateLimitRule): TakeResult {
    const now = this.#now();
    const existing = this.#buckets.get(key);
    const previous = existing !== undefined && existing.fullAtMs > now ? existing.state : undefined;
    const { state, result } = takeToken(previous, rule, now);
    // Re-insert so Map order is least-recently-used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, { state, fullAtMs: now + msUntilFull(state, rule) });
    if (this.#buckets.size > this.#maxKeys) this.#evict();
    return result;
  }

  /** Forgets every bucket. */
  clear(): void {
    this.#buckets.clear();
  }

  #evict(): void {
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxKeys) break;
      this.#buckets.delete(key);
    }
  }
}
