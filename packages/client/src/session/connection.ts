import type { ResponseOptions } from '../protocol/client-events.js';
import type { RemoteAudio } from '../audio/remote-audio.js';
import type { EphemeralToken } from '../token/token-source.js';
import type { Transport } from '../transport/transport.js';

/**
 * Everything one connection opened (transport, playback, listeners, timers).
 * Released as a unit, exactly once, whichever way the connection ends: a
 * failed attempt leaves no peer connection or listener behind for the next one
 * to trip over. The microphone is the session's, not the connection's: it
 * survives a reconnection.
 */
export class ConnectionResources {
  transport: Transport | undefined;
  remote: RemoteAudio | undefined;
  /** The server's audio stream, once it arrived (it may come before playback exists). */
  stream: MediaStream | undefined;
  /** The server's `session.created` arrived on this connection. */
  created = false;
  /** Fails the wait for `session.created` (the connection dropped first). */
  fail: ((reason: unknown) => void) | undefined;
  /** When the transport opened (`performance.now()`). */
  openedAt: number | undefined;
  #released: Promise<void> | undefined;
  readonly #cleanups: Array<() => void> = [];

  get released(): boolean {
    return this.#released !== undefined;
  }

  /** Registers something to undo on release (listener removal, timers). */
  onRelease(cleanup: () => void): void {
    if (this.#released) cleanup();
    else this.#cleanups.push(cleanup);
  }

  /**
   * Runs the cleanups, closes the transport and stops playback. Idempotent.
   * Resolves once the transport's release is complete.
   */
  release(): Promise<void> {
    if (this.#released) return this.#released;
    this.#released = Promise.resolve();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    const closed = this.transport?.close();
    this.remote?.stop();
    if (closed) this.#released = closed.catch(() => undefined);
    return this.#released;
  }
}

/** Options of `connect()`. */
export interface ConnectOptions {
  /** Cancels the attempt (it rejects with `aborted`); has no effect once connected. */
  signal?: AbortSignal;
  /**
   * The agent speaks first (a greeting): `response.create` goes out with the
   * session configuration the moment the connection opens, one round trip
   * sooner than calling `createResponse()` once `connect()` resolves. `true`,
   * or per-response options (e.g. `{ instructions: 'Greet the user by name.' }`).
   * Not repeated by reconnections.
   */
  speakFirst?: boolean | ResponseOptions;
}

/** Options of `prepare()`. */
export interface PrepareOptions {
  /** Also open the connection now, without the microphone: `connect()` then only opens the mic. */
  connect?: boolean;
}

/** Work done ahead of `connect()` by `prepare()`. */
export interface Prepared {
  mode: 'local' | 'connection';
  live: ConnectionResources;
  token: EphemeralToken;
  controller: AbortController;
  promise: Promise<void>;
}
