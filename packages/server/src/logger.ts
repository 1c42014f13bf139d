/**
 * Structured logging: one line per request outcome, never a secret.
 */

/** One structured log line. Field names are stable; new fields may be added. */
export interface TokenLogEntry {
  /** ISO timestamp. */
  time: string;
  /** `info` for a mint, `warn` for a refusal, `error` for an upstream or internal failure. */
  level: 'info' | 'warn' | 'error';
  /** What happened. */
  event: 'token.minted' | 'token.rejected' | 'token.failed';
  /** HTTP status sent to the browser. */
  status: number;
  /** Error code, for refusals and failures. */
  code?: string;
  /** Client IP as resolved (see `trustProxy`), or `"unknown"`. */
  ip: string;
  /** The user id returned by `authorize`, keyed (`hmac:` with `safetyIdentifier.secret`, else `sha256:`; 32 hex), when there is one. */
  user?: string;
  /** Request `Origin` header, when present. */
  origin?: string;
  /** Model of the minted session. */
  model?: string;
  /** Unix seconds at which the minted key expires. */
  expiresAt?: number;
  /** Total handler time in milliseconds. */
  durationMs: number;
  /** Time spent waiting for the upstream, in milliseconds, when it was called. */
  upstreamMs?: number;
  /** Upstream HTTP status, when the upstream answered with an error. */
  upstreamStatus?: number;
  /** Upstream `error.code` (`invalid_api_key`, Azure's `"401"`…), when it is a plain token. */
  upstreamCode?: string;
  /** Upstream `error.type` (`invalid_request_error`, `insufficient_quota`…), when it is a plain token. */
  upstreamType?: string;
  /** Upstream `error.message`, at most 200 characters, key-like strings removed. Never sent to the browser. */
  upstreamMessage?: string;
  /** Network error code such as `ECONNREFUSED` when the upstream could not be reached, or `RESPONSE_TOO_LARGE`. */
  causeCode?: string;
}

/** A function that receives each log entry. */
export type TokenLogSink = (entry: TokenLogEntry) => void;

/**
 * Where log lines go: `"silent"` (default, nothing), `"json"` (one JSON line per request on
 * `console.log` / `console.error`), or your own sink (pino, winston, a metrics pipe…).
 */
export type TokenLoggerOption = 'silent' | 'json' | TokenLogSink;

/**
 * Builds the internal log function. Whatever the sink, every entry is serialised once and any
 * occurrence of a secret (the API key) is removed before the sink sees it; a sink that throws is
 * ignored so logging can never break a mint.
 */
export function createLogSink(option: TokenLoggerOption | undefined, secrets: readonly string[]): TokenLogSink {
  if (option === undefined || option === 'silent') return () => {};
  const sink: TokenLogSink =
    option === 'json'
      ? (entry) => {
          const line = JSON.stringify(entry);
          if (entry.level === 'info') console.log(line);
          else console.error(line);
        }
      : option;
  const live = secrets.filter((s) => s.length > 0);
  return (entry) => {
    try {
      let text = JSON.stringify(entry);
      for (const secret of live) text = text.split(secret).join('[redacted]');
      sink(JSON.parse(text) as TokenLogEntry);
    } catch {
      // A failing log sink must not turn a mint into an error.
    }
  };
}
