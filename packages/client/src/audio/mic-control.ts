import type { Transport } from '../transport/transport.js';
import { openMicrophone, type Microphone, type MicrophoneOptions } from './microphone.js';

/**
 * The session's microphone, across connections (it survives a
 * reconnection): opens it once, switches devices live with `replaceTrack`,
 * gates what is sent (mute, push-to-talk) and notices a track that ends by
 * itself. A track rtvoice opened is stopped on `release()`; a stream the app
 * passed in is never stopped (it is gated by detaching it from the sender).
 */
export class MicControl {
  #mic: Microphone | undefined;
  #cleanup: (() => void) | undefined;
  #sending = true;
  /** The input device to open (`undefined`: the system default). */
  deviceId: string | undefined;
  readonly #options: MicrophoneOptions;
  readonly #provided: MediaStream | undefined;
  readonly #transport: () => Transport | undefined;
  readonly #onEnded: () => void;

  constructor(options: MicrophoneOptions, provided: MediaStream | undefined, transport: () => Transport | undefined, onEnded: () => void) {
    this.#options = options;
    this.deviceId = options.deviceId;
    this.#provided = provided;
    this.#transport = transport;
    this.#onEnded = onEnded;
  }

  /** The open track, if any. */
  get track(): MediaStreamTrack | undefined {
    return this.#mic?.track;
  }

  /** The open microphone, or a newly opened one. */
  async open(signal: AbortSignal): Promise<MediaStreamTrack> {
    if (this.#mic?.track.readyState === 'live') return this.#mic.track;
    const mic = await openMicrophone({ ...this.#options, deviceId: this.deviceId }, this.#provided);
    if (signal.aborted) {
      if (mic.owned) mic.track.stop();
      throw signal.reason;
    }
    this.#adopt(mic);
    return mic.track;
  }

  /** Uses another input device from now on; if a mic is open, switches to it live. */
  async switchTo(deviceId: string): Promise<void> {
    this.deviceId = deviceId;
    if (!this.#mic || this.#provided) return;
    const mic = await openMicrophone({ ...this.#options, deviceId }, undefined);
    // Released while the new device was opening: the session is gone.
    if (!this.#mic) return mic.track.stop();
    await this.#transport()?.setMic(mic.track);
    this.#adopt(mic);
  }

  /** Whether audio goes out (false while muted, or between push-to-talk presses). */
  set sending(on: boolean) {
    this.#sending = on;
    const mic = this.#mic;
    if (mic?.owned) mic.track.enabled = on;
    else if (mic) void this.#transport()?.setMic(on ? mic.track : null);
  }

  /** Stops the track rtvoice opened and forgets it. */
  release(): void {
    this.#cleanup?.();
    this.#cleanup = undefined;
    if (this.#mic?.owned) this.#mic.track.stop();
    this.#mic = undefined;
  }

  #adopt(mic: Microphone): void {
    const old = this.#mic;
    this.#cleanup?.();
    if (old?.owned && old.track !== mic.track) old.track.stop();
    this.#mic = mic;
    // A track that ends by itself (device unplugged, permission revoked) leaves the agent deaf.
    const onEnded = () => this.#mic === mic && this.#onEnded();
    mic.track.addEventListener('ended', onEnded);
    this.#cleanup = () => mic.track.removeEventListener('ended', onEnded);
    this.sending = this.#sending;
  }
}
