import type { Microphone } from '../audio/microphone.js';
import type { RemoteAudio } from '../audio/remote-audio.js';
import type { Transport } from '../transport/transport.js';

/**
 * Everything one connection attempt opened. Released as a unit, exactly once,
 * whichever way the attempt ends: a failed attempt leaves no mic track, peer
 * connection or listener behind for the next one to trip over.
 */
export class ConnectionResources {
  transport: Transport | undefined;
  remote: RemoteAudio | undefined;
  #mic: Microphone | undefined;
  #released = false;
  readonly #cleanups: Array<() => void> = [];

  get released(): boolean {
    return this.#released;
  }

  get mic(): Microphone | undefined {
    return this.#mic;
  }

  /** Takes ownership of a microphone; one that arrives after release is stopped at once. */
  adoptMic(mic: Microphone): void {
    if (this.#released) {
      if (mic.owned) mic.track.stop();
      return;
    }
    this.#mic = mic;
  }

  /** Registers something to undo on release (listener removal, timers). */
  onRelease(cleanup: () => void): void {
    if (this.#released) cleanup();
    else this.#cleanups.push(cleanup);
  }

  /** Closes the transport, stops an owned mic, stops playback and runs the cleanups. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.transport?.close();
    if (this.#mic?.owned) this.#mic.track.stop();
    this.remote?.stop();
  }
}
