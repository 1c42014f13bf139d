/**
 * A Redis-backed rate-limit store, so several instances behind a load balancer share one limit.
 * Each take is one Lua script run (atomic on the Redis server) using the Redis clock, so
 * instance clocks do not matter. Works with ioredis (`new Redis(url)`) or any client with the
 * same `evalsha`/`eval` call shape.
 */
import type { RateLimitStore } from './store.js';
import { refillPerMs, type RateLimitRule, type TakeResult } from './token-bucket.js';

/** The part of an ioredis client this store uses. */
export interface RedisEvalClient {
  /** `EVALSHA sha numkeys key... arg...`. */
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** `EVAL script numkeys key... arg...`. */
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Options of {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /** A connected client, e.g. `new Redis(process.env.REDIS_URL)`. You own it: close it yourself. */
  client: RedisEvalClient;
  /** Key prefix. Default `"rtvoice:rl:"`. */
  prefix?: string;
}

/**
 * KEYS[1] = bucket; ARGV = burst, tokens per ms. Returns { allowed, remaining, retryAfterMs }.
 * The bucket expires once it would be full again, so idle keys clean themselves up.
 */
export const TOKEN_BUCKET_LUA = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
  ts = now
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%d', ts))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
return { allowed, math.floor(tokens), retry }
`;

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A {@link RateLimitStore} on Redis (ioredis). Atomic across any number of handler instances. */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: RedisEvalClient;
  readonly #prefix: string;
  #sha: Promise<string> | undefined;

  /** @param options - the client (you own it) and a key prefix. */
  constructor(options: RedisRateLimitStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'rtvoice:rl:';
  }

  /** Takes one token with one atomic script run. Rejects when Redis is unreachable. */
  async take(key: string, rule: RateLimitRule): Promise<TakeResult> {
    this.#sha ??= sha1Hex(TOKEN_BUCKET_LUA);
    const sha = await this.#sha;
    const args = [`${this.#prefix}${key}`, rule.burst, refillPerMs(rule).toPrecision(17)] as const;
    let reply: unknown;
    try {
      reply = await this.#client.evalsha(sha, 1, ...args);
    } catch (error) {
      if (!String((error as { message?: unknown })?.message).includes('NOSCRIPT')) throw error;
      reply = await this.#client.eval(TOKEN_BUCKET_LUA, 1, ...args);
    }
    if (!Array.isArray(reply) || reply.length !== 3) throw new TypeError('Unexpected reply from the rate-limit script.');
    const [allowed, remaining, retry] = reply.map(Number) as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs: allowed === 1 ? 0 : retry };
  }
}
