/**
 * Plays the model's audio through an `<audio>` element. Chrome feeds a remote
 * WebRTC stream to Web Audio only while a media element plays it, so the
 * element is needed even when the app analyses the audio itself.
 */
export class RemoteAudio {
  readonly #element: HTMLAudioElement;
  readonly #owned: boolean;
  #stream: MediaStream | undefined;

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

  /** Starts playing `stream`. Resolves `false` when the browser's autoplay policy refused. */
  async play(stream: MediaStream): Promise<boolean> {
    this.#stream = stream;
    this.#element.srcObject = stream;
    try {
      await this.#element.play();
      return true;
    } catch {
      return false;
    }
  }

  /** Stops playback and detaches the stream. */
  stop(): void {
    this.#element.pause();
    this.#element.srcObject = null;
    this.#stream = undefined;
    if (this.#owned) this.#element.remove();
  }
}
