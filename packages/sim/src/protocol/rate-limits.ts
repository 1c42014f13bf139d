/** One entry of `rate_limits.updated`. */
export interface RateLimit {
  name: 'requests' | 'tokens';
  limit: number;
  remaining: number;
  reset_seconds: number;
}

/**
 * Simulated rate limits: a per-session budget that shrinks with each
 * response (the sim never enforces them).
 */
export class RateLimitCounter {
  #requests = 0;
  #tokens = 0;
  static readonly REQUEST_LIMIT = 1000;
  static readonly TOKEN_LIMIT = 50_000;

  /** Records one response and the tokens it is expected to use. */
  consume(tokens: number): void {
    this.#requests += 1;
    this.#tokens += tokens;
  }

  /** The list sent in `rate_limits.updated`. */
  snapshot(): RateLimit[] {
    return [
      {
        name: 'requests',
        limit: RateLimitCounter.REQUEST_LIMIT,
        remaining: Math.max(0, RateLimitCounter.REQUEST_LIMIT - this.#requests),
        reset_seconds: 60,
      },
      {
        name: 'tokens',
        limit: RateLimitCounter.TOKEN_LIMIT,
        remaining: Math.max(0, RateLimitCounter.TOKEN_LIMIT - this.#tokens),
        reset_seconds: 60,
      },
    ];
  }
}
