import type { FaultSpec } from '../faults/fault-spec.js';
import { newEphemeralKey } from '../protocol/ids.js';
import type { RealtimeSession } from '../protocol/session-config.js';

/** What a minted ephemeral key carries. */
export interface KeyRecord {
  value: string;
  /** Unix seconds. */
  expiresAt: number;
  /** Session configuration applied to sessions created with the key. */
  session: RealtimeSession;
  /** Faults for sessions created with the key (from the mint request). */
  faults?: FaultSpec;
  /** Scenario name for sessions created with the key. */
  scenario?: string;
  /** Minted through the beta endpoint (sessions then speak the beta dialect). */
  beta?: boolean;
  /** Beta `temperature` given at minting. */
  betaTemperature?: number;
}

/** Result of {@link KeyStore.lookup}. */
export type KeyLookup = { status: 'valid'; record: KeyRecord } | { status: 'expired' | 'unknown' };

/**
 * Ephemeral keys (`ek_…`). Expiry is checked lazily on lookup (no timers):
 * an expired key can no longer create sessions, while sessions it created
 * continue, as on the service. Expired keys are purged on each mint.
 */
export class KeyStore {
  readonly #keys = new Map<string, KeyRecord>();
  readonly #now: () => number;

  /** @param now - Clock in milliseconds (injectable for tests). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Mints a key valid for `ttlSeconds`. */
  mint(ttlSeconds: number, session: RealtimeSession, extra: Pick<KeyRecord, 'faults' | 'scenario' | 'beta' | 'betaTemperature'> = {}): KeyRecord {
    this.#purge();
    const record: KeyRecord = {
      value: newEphemeralKey(),
      expiresAt: Math.floor(this.#now() / 1000 + ttlSeconds),
      session,
      ...extra,
    };
    this.#ttlMs.set(record.value, this.#now() + ttlSeconds * 1000);
    this.#keys.set(record.value, record);
    return record;
  }

  /** Precise expiry instants (ms), so sub-second TTLs used by tests work. */
  readonly #ttlMs = new Map<string, number>();

  /** Finds a key and tells whether it can still create sessions. */
  lookup(value: string): KeyLookup {
    const record = this.#keys.get(value);
    if (!record) return { status: 'unknown' };
    if (this.#now() >= (this.#ttlMs.get(value) ?? 0)) return { status: 'expired' };
    return { status: 'valid', record };
  }

  /** Number of keys held. */
  get size(): number {
    return this.#keys.size;
  }

  #purge(): void {
    // Keep expired keys for an hour so they answer "expired" rather than "unknown".
    const cutoff = this.#now() - 3_600_000;
    for (const [value, until] of this.#ttlMs) {
      if (until < cutoff) {
        this.#ttlMs.delete(value);
        this.#keys.delete(value);
      }
    }
  }
}
