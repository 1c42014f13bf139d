/**
 * The session's input audio on an absolute timeline: sample 0 is the first
 * sample ever received. Keeps only a bounded tail; older audio is dropped.
 */
export class InputAudioBuffer {
  readonly #sampleRate: number;
  readonly #maxSamples: number;
  #data: Int16Array;
  /** Absolute index of `#data[0]`. */
  #start = 0;
  #length = 0;

  /**
   * @param sampleRate - Rate of the samples appended (16 kHz in the sim).
   * @param maxSeconds - How much audio is retained at most.
   */
  constructor(sampleRate = 16_000, maxSeconds = 300) {
    this.#sampleRate = sampleRate;
    this.#maxSamples = sampleRate * maxSeconds;
    this.#data = new Int16Array(sampleRate * 4);
  }

  /** Milliseconds of audio appended since the start of the session. */
  get endMs(): number {
    return this.#toMs(this.#start + this.#length);
  }

  /** Earliest millisecond still retained. */
  get startMs(): number {
    return this.#toMs(this.#start + this.#head);
  }

  /** Appends samples at the end of the timeline. */
  append(samples: Int16Array): void {
    if (this.#length + samples.length > this.#data.length) {
      if (this.#head > 0) this.#compact();
      if (this.#length + samples.length > this.#data.length) this.#grow(this.#length + samples.length);
    }
    this.#data.set(samples, this.#length);
    this.#length += samples.length;
    // Trim in 10 s steps so steady-state appends stay O(frame).
    if (this.#length > this.#maxSamples + this.#sampleRate * 10) this.dropBefore(this.#toMs(this.#start + this.#length - this.#maxSamples));
  }

  /** Copies the audio between two absolute times (clamped to what is retained). */
  slice(fromMs: number, toMs: number): Int16Array {
    const from = Math.max(this.#start + this.#head, this.#toSample(fromMs));
    const to = Math.min(this.#start + this.#length, this.#toSample(toMs));
    if (to <= from) return new Int16Array(0);
    return this.#data.slice(from - this.#start, to - this.#start);
  }

  /**
   * Forgets everything before `ms`. The storage is compacted lazily (once
   * a second of dropped audio has piled up), so calling this on every 10 ms
   * frame costs nothing most of the time.
   */
  dropBefore(ms: number): void {
    const cut = Math.min(this.#length - this.#head, Math.max(0, this.#toSample(ms) - this.#start - this.#head));
    if (cut <= 0) return;
    this.#head += cut;
    if (this.#head >= this.#sampleRate) this.#compact();
  }

  /** Samples at the front of `#data` that are already dropped. */
  #head = 0;

  #compact(): void {
    this.#data.copyWithin(0, this.#head, this.#length);
    this.#length -= this.#head;
    this.#start += this.#head;
    this.#head = 0;
  }

  #grow(min: number): void {
    const next = new Int16Array(Math.max(min, this.#data.length * 2));
    next.set(this.#data.subarray(0, this.#length));
    this.#data = next;
  }

  #toMs(sample: number): number {
    return Math.round((sample * 1000) / this.#sampleRate);
  }

  #toSample(ms: number): number {
    return Math.round((ms * this.#sampleRate) / 1000);
  }
}
