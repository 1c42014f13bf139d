import { type AudioFormat, audioFormatRate } from '../protocol/session-config.js';
import { encodeG711 } from './g711.js';
import { OUTPUT_SAMPLE_RATE } from './output-queue.js';
import { encodePcm16le } from './pcm16.js';

/**
 * Encodes the sim's 48 kHz assistant audio into a session's
 * `audio.output.format` for `response.output_audio.delta`: s16le at 24 kHz
 * (`audio/pcm`) or G.711 at 8 kHz (`audio/pcmu`, `audio/pcma`). The rate is
 * lowered by averaging each group of 2 (or 6) samples; samples that do not
 * fill a group wait for the next chunk, and a last partial group is dropped
 * (under 0.125 ms), so the decoded length never exceeds the audio the sim
 * stores for the item (truncation checks against it).
 */
export class OutputAudioEncoder {
  readonly #format: AudioFormat;
  readonly #factor: number;
  #pending = new Int16Array(0);

  /** @param format - The response's output format. */
  constructor(format: AudioFormat) {
    this.#format = format;
    this.#factor = OUTPUT_SAMPLE_RATE / audioFormatRate(format);
  }

  /** Encodes the next chunk of 48 kHz audio; returns the delta bytes (possibly empty). */
  encode(samples: Int16Array): Uint8Array {
    let input = samples;
    if (this.#pending.length > 0) {
      input = new Int16Array(this.#pending.length + samples.length);
      input.set(this.#pending);
      input.set(samples, this.#pending.length);
    }
    const factor = this.#factor;
    const groups = Math.floor(input.length / factor);
    const out = new Int16Array(groups);
    for (let g = 0; g < groups; g++) {
      let sum = 0;
      for (let k = 0; k < factor; k++) sum += input[g * factor + k] ?? 0;
      out[g] = Math.round(sum / factor);
    }
    this.#pending = input.slice(groups * factor);
    if (this.#format.type === 'audio/pcm') return encodePcm16le(out);
    return encodeG711(out, this.#format.type === 'audio/pcmu' ? 'ulaw' : 'alaw');
  }
}
