/**
 * Converts interleaved s16 audio at any rate and channel count to mono 16 kHz
 * (the VAD and input buffer rate). Channels are averaged; the rate is changed
 * by linear interpolation, which is plenty for level detection and playback of
 * a voice back to its speaker.
 */
export function toMono16k(samples: Int16Array, sampleRate: number, channelCount = 1): Int16Array {
  const mono = channelCount > 1 ? downmix(samples, channelCount) : samples;
  return sampleRate === 16_000 ? mono : resampleLinear(mono, sampleRate, 16_000);
}

/** Averages interleaved channels into one. */
export function downmix(samples: Int16Array, channelCount: number): Int16Array {
  const frames = Math.floor(samples.length / channelCount);
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channelCount; c++) sum += samples[i * channelCount + c] ?? 0;
    out[i] = Math.round(sum / channelCount);
  }
  return out;
}

/**
 * Linear-interpolation resampler for s16 mono. Output length is
 * `round(input.length × to / from)`.
 */
export function resampleLinear(input: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return input.slice();
  const outLength = Math.round((input.length * to) / from);
  const out = new Int16Array(outLength);
  const step = from / to;
  for (let i = 0; i < outLength; i++) {
    const pos = i * step;
    const i0 = Math.floor(pos);
    const frac = pos - i0;
    const a = input[i0] ?? 0;
    const b = input[i0 + 1] ?? a;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}

/**
 * 16 kHz → 48 kHz (exactly 3× the samples), for playback on the wrtc audio
 * source. Same result as `resampleLinear(input, 16000, 48000)`, with an
 * integer-step loop (it runs on the event loop that also paces the audio,
 * so it is kept cheap).
 */
export function upsample16kTo48k(input: Int16Array): Int16Array {
  const out = new Int16Array(input.length * 3);
  for (let i = 0; i < input.length; i++) {
    const a = input[i] ?? 0;
    const b = i + 1 < input.length ? (input[i + 1] ?? a) : a;
    const o = i * 3;
    // Integer arithmetic; assigning to an Int16Array truncates toward zero.
    out[o] = a;
    out[o + 1] = (2 * a + b) / 3;
    out[o + 2] = (a + 2 * b) / 3;
  }
  return out;
}

/**
 * A linear-interpolation resampler for a stream cut into chunks of any size:
 * it keeps the last input sample and the fractional read position between
 * chunks, so the output is the same as resampling the whole stream at once
 * (no clicks at chunk edges, no drift from per-chunk rounding).
 */
export class StreamResampler {
  readonly #step: number;
  /** Position of the next output sample, in input samples from the start of the next chunk. */
  #position = 0;
  #previous: number | undefined;

  /**
   * @param from - Input rate in Hz.
   * @param to - Output rate in Hz.
   */
  constructor(from: number, to: number) {
    this.#step = from / to;
  }

  /** Resamples the next chunk of the stream. */
  push(input: Int16Array): Int16Array {
    const n = input.length;
    if (n === 0) return new Int16Array(0);
    const out: number[] = [];
    let t = this.#position;
    // Position -1 is the last sample of the previous chunk.
    while (t <= n - 1) {
      const i0 = Math.floor(t);
      const frac = t - i0;
      const a = i0 < 0 ? (this.#previous ?? input[0] ?? 0) : (input[i0] ?? 0);
      const b = i0 + 1 < n ? (input[i0 + 1] ?? a) : a;
      out.push(Math.round(a + (b - a) * frac));
      t += this.#step;
    }
    this.#position = t - n;
    this.#previous = input[n - 1];
    return Int16Array.from(out);
  }
}
