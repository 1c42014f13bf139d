/**
 * Token-bucket arithmetic shared by every rate-limit store.
 */

/** One limit: a bucket of `burst` tokens refilled at `perMinute` tokens per minute; one mint costs one token. */
export interface RateLimitRule {
  /** Bucket size: how many mints may happen back to back. Integer ≥ 1. */
  burst: number;
  /** Sustained rate: tokens added per minute (fractions allowed, > 0). */
  perMinute: number;
}

/** The outcome of taking one token. */
export interface TakeResult {
  /** Whether the token was granted. */
  allowed: boolean;
  /** Whole tokens left after this take. */
  remaining: number;
  /** When refused: milliseconds until a token is available; 0 when allowed. */
  retryAfterMs: number;
}

/** A bucket's stored state. */
export interface BucketState {
  /** Tokens in the bucket (fractional). */
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  updatedMs: number;
}

/** Tokens per millisecond for a rule. */
export function refillPerMs(rule: RateLimitRule): number {
  return rule.perMinute / 60_000;
}

/**
 * Refills `state` up to `nowMs` and tries to take one token. Pure: returns the new state.
 * A missing state is a full bucket. A clock that went backwards refills nothing.
 */
export function takeToken(state: BucketState | undefined, rule: RateLimitRule, nowMs: number): { state: BucketState; result: TakeResult } {
  const rate = refillPerMs(rule);
  let tokens = state?.tokens ?? rule.burst;
  const last = state?.updatedMs ?? nowMs;
  if (nowMs > last) tokens = Math.min(rule.burst, tokens + (nowMs - last) * rate);
  const updatedMs = Math.max(last, nowMs);
  if (tokens >= 1) {
    tokens -= 1;
    return { state: { tokens, updatedMs }, result: { allowed: true, remaining: Math.floor(tokens), retryAfterMs: 0 } };
  }
  return {
    state: { tokens, updatedMs },
    result: { allowed: false, remaining: 0, retryAfterMs: Math.max(1, Math.ceil((1 - tokens) / rate)) },
  };
}

/** Milliseconds after which an untouched bucket is full again (and can be forgotten). */
export function msUntilFull(state: BucketState, rule: RateLimitRule): number {
  return Math.ceil((rule.burst - state.tokens) / refillPerMs(rule));
}
