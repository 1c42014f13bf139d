/**
 * Stable string codes for every error the sim raises in its own API
 * (not the OpenAI-shaped wire errors, which live in `protocol/`).
 */
export type SimErrorCode =
  | 'invalid_options'
  | 'invalid_scenario'
  | 'invalid_fault'
  | 'listen_failed'
  | 'rtc_unavailable'
  | 'rtc_failed'
  | 'invalid_offer'
  | 'closed'
  // `@rtvoice/sim/testing` client:
  | 'sdp_rejected'
  | 'timeout'
  | 'event_missing';

/**
 * The one error class of `@rtvoice/sim`. `code` is stable and safe to switch on;
 * `message` is for humans.
 */
export class SimError extends Error {
  override readonly name = 'SimError';
  /** Stable machine-readable code. */
  readonly code: SimErrorCode;

  /**
   * @param code - Stable code.
   * @param message - Human-readable description.
   * @param options - Optional `cause`.
   */
  constructor(code: SimErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * True when `value` is a {@link SimError}. Checks the shape, not `instanceof`,
 * so it works across duplicated copies of the package.
 */
export function isSimError(value: unknown): value is SimError {
  return (
    value instanceof Error &&
    (value as { name?: unknown }).name === 'SimError' &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}
