/**
 * Concurrent-call slots (`maxConcurrentCallsPerUser`): a call holds one slot of its user's set
 * while it lasts. Each slot expires unless its holder refreshes it, so the slots of an instance
 * that crashed free themselves after the TTL instead of blocking their users for good.
 */
import type { RedisEvalClient } from '../rate-limit/redis-store.js';

/** The outcome of an {@link CallSlotStore.acquire}. */
export interface AcquireResult {
  /** True when the slot was granted. */
  acquired: boolean;
  /** Slots held in the set after the call (including this one when granted). */
  active: number;
}

/**
 * Where call slots live. `acquire` must be atomic per key: with one slot left, two concurrent
 * acquires grant exactly one. {@link MemoryCallSlotStore} is per process;
 * {@link RedisCallSlotStore} shares the slots between instances.
 */
export interface CallSlotStore {
  /** Takes a slot named `holder` in the set `key` unless `limit` unexpired slots are held. Rejects if the backend is unavailable. */
  acquire(key: string, holder: string, limit: number, ttlMs: number): Promise<AcquireResult>;
  /** Extends `holder`'s slot to `ttlMs` from now; resolves false when it had expired (or was never held). */
  refresh(key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Frees `holder`'s slot. Resolves also when it was not held. */
  release(key: string, holder: string): Promise<void>;
}

/** True when `value` has the three methods of a {@link CallSlotStore}. */
export function isCallSlotStore(value: unknown): value is CallSlotStore {
  const v = value as Partial<CallSlotStore> | null;
  return typeof v?.acquire === 'function' && typeof v.refresh === 'function' && typeof v.release === 'function';
}

/** Options of {@link MemoryCallSlotStore}. */
export interface MemoryCallSlotStoreOptions {
  /** Clock in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

/** An in-process {@link CallSlotStore}: exact within one process, no timers. */
export class MemoryCallSlotStore implements CallSlotStore {
  readonly #sets = new Map<string, Map<string, number>>();
  readonly #now: () => number;

  /** @param options - the clock. */
  constructor(options: MemoryCallSlotStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Unexpired slots held in `key`. */
  active(key: string): number {
    return this.#live(key)?.size ?? 0;
  }

  /** @inheritdoc */
  acquire(key: string, holder: string, limit: number, ttlMs: number): Promise<AcquireResult> {
    const set = this.#live(key) ?? new Map<string, number>();
    if (!set.has(holder) && set.size >= limit) return Promise.resolve({ acquired: false, active: set.size });
    set.set(holder, this.#now() + ttlMs);
    this.#sets.set(key, set);
    return Promise.resolve({ acquired: true, active: set.size });
  }

  /** @inheritdoc */
  refresh(key: string, holder: string, ttlMs: number): Promise<boolean> {
    const set = this.#live(key);
    if (!set?.has(holder)) return Promise.resolve(false);
    set.set(holder, this.#now() + ttlMs);
    return Promise.resolve(true);
  }

  /** @inheritdoc */
  release(key: string, holder: string): Promise<void> {
    const set = this.#sets.get(key);
    set?.delete(holder);
    if (set?.size === 0) this.#sets.delete(key);
    return Promise.resolve();
  }

  /** The set of `key` without its expired slots (dropped when empty). */
  #live(key: string): Map<string, number> | undefined {
    const set = this.#sets.get(key);
    if (set === undefined) return undefined;
    const now = this.#now();
    for (const [holder, expiresAt] of set) if (expiresAt <= now) set.delete(holder);
    if (set.size === 0) {
      this.#sets.delete(key);
      return undefined;
    }
    return set;
  }
}

/**
 * KEYS[1] = the set (a sorted set: member = holder, score = expiry in ms on the Redis clock);
 * ARGV = op (`acquire` | `refresh` | `release`), holder, limit, ttl ms.
 * Returns { granted 0/1, active }. The key expires with its last slot.
 */
export const CALL_SLOTS_LUA = `
local op = ARGV[1]
local holder = ARGV[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if op == 'release' then
  redis.call('ZREM', KEYS[1], holder)
  return { 1, redis.call('ZCARD', KEYS[1]) }
end
local limit = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local held = redis.call('ZSCORE', KEYS[1], holder)
local active = redis.call('ZCARD', KEYS[1])
if op == 'refresh' and not held then return { 0, active } end
if op == 'acquire' and not held and active >= limit then return { 0, active } end
redis.call('ZADD', KEYS[1], now + ttl, holder)
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
return { 1, redis.call('ZCARD', KEYS[1]) }
`;

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Options of {@link RedisCallSlotStore}. */
export interface RedisCallSlotStoreOptions {
  /** A connected client, e.g. the one of your `RedisRateLimitStore`. You own it: close it yourself. */
  client: RedisEvalClient;
  /** Key prefix. Default `"rtvoice:calls:"`. */
  prefix?: string;
}

/**
 * A {@link CallSlotStore} on Redis: one Lua script run per operation (atomic on the server, on
 * the Redis clock), so every instance sees the same slots. Works with ioredis.
 */
export class RedisCallSlotStore implements CallSlotStore {
  readonly #client: RedisEvalClient;
  readonly #prefix: string;
  #sha: Promise<string> | undefined;

  /** @param options - the client (you own it) and a key prefix. */
  constructor(options: RedisCallSlotStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'rtvoice:calls:';
  }

  /** @inheritdoc */
  async acquire(key: string, holder: string, limit: number, ttlMs: number): Promise<AcquireResult> {
    const [granted, active] = await this.#run(key, 'acquire', holder, limit, ttlMs);
    return { acquired: granted === 1, active };
  }

  /** @inheritdoc */
  async refresh(key: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.#run(key, 'refresh', holder, 0, ttlMs))[0] === 1;
  }

  /** @inheritdoc */
  async release(key: string, holder: string): Promise<void> {
    await this.#run(key, 'release', holder, 0, 0);
  }

  async #run(key: string, op: string, holder: string, limit: number, ttlMs: number): Promise<[number, number]> {
    this.#sha ??= sha1Hex(CALL_SLOTS_LUA);
    const sha = await this.#sha;
    const args = [`${this.#prefix}${key}`, op, holder, limit, Math.max(1, Math.round(ttlMs))] as const;
    let reply: unknown;
    try {
      reply = await this.#client.evalsha(sha, 1, ...args);
    } catch (error) {
      if (!String((error as { message?: unknown })?.message).includes('NOSCRIPT')) throw error;
      reply = await this.#client.eval(CALL_SLOTS_LUA, 1, ...args);
    }
    if (!Array.isArray(reply) || reply.length !== 2) throw new TypeError('Unexpected reply from the call-slot script.');
    return [Number(reply[0]), Number(reply[1])];
  }
}
