/** How a play attempt ended. */
export type PlayResult = 'playing' | 'autoplay_blocked' | 'failed';

/**
 * Plays the model's audio through an `<audio>` element. Chrome feeds a remote
 * WebRTC stream to Web Audio only while a media element plays it, so the
 * element is needed even when the app analyses the audio itself.
 */
export class RemoteAudio {
  readonly #element: HTMLAudioElement;
  readonly #owned: boolean;
  #stream: MediaStream | undefined;
  #silenced = false;

  /** Uses `element` when given (it stays the app's), or creates a detached one. */
  constructor(element: HTMLAudioElement | undefined) {
    this.#owned = element === undefined;
    this.#element = element ?? document.createElement('audio');
    this.#element.autoplay = true;
  }

  /** The element that plays the remote audio. */
  get element(): HTMLAudioElement {
    return this.#element;
  }

  /** The stream being played, once the remote track arrived. */
  get stream(): MediaStream | undefined {
    return this.#stream;
  }

  /** Starts playing `stream` (or retries the current one). */
  async play(stream = this.#stream): Promise<PlayResult> {
    if (!stream) return 'failed';
    this.#stream = stream;
    if (this.#element.srcObject !== stream) this.#element.srcObject = stream;
    this.#apply();
    try {
      await this.#element.play();
      return 'playing';
    } catch (error) {
      return (error as { name?: string } | null)?.name === 'NotAllowedError' ? 'autoplay_blocked' : 'failed';
    }
  }

  /**
   * Silences (or restores) playback at once, by disabling the remote track: the
   * element and any analyser hear silence from the next audio quantum on.
   */
  silence(on: boolean): void {
    this.#silenced = on;
    this.#apply();
  }

  /** Plays through another output device. */
  async setSinkId(deviceId: string): Promise<void> {
    await (this.#element as HTMLAudioElement & { setSinkId(id: string): Promise<void> }).setSinkId(deviceId);
  }

  /** Stops playback and detaches the stream. */
  stop(): void {
    this.silence(false);
    this.#element.pause();
    this.#element.srcObject = null;
    this.#stream = undefined;
    if (this.#owned) this.#element.remove();
  }

  #apply(): void {
    for (const track of this.#stream?.getAudioTracks() ?? []) track.enabled = !this.#silenced;
  }
}
