import { type AudioFormat, audioFormatRate } from '../protocol/session-config.js';
import { decodeG711 } from './g711.js';
import { decodePcm16le } from './pcm16.js';
import { StreamResampler, toMono16k } from './resample.js';

/** The rate the turn detector works at. */
const DETECTOR_RATE = 16_000;

/** Decodes one whole buffer of session-format audio to samples at the format's own rate. */
function decodeSamples(bytes: Uint8Array, format: AudioFormat): Int16Array {
  if (format.type === 'audio/pcm') return decodePcm16le(bytes);
  return decodeG711(bytes, format.type === 'audio/pcmu' ? 'ulaw' : 'alaw');
}

/**
 * Decodes a complete piece of audio in a session format (`input_audio` of
 * `conversation.item.create`) to 16 kHz mono.
 */
export function decodeInputAudio(bytes: Uint8Array, format: AudioFormat): Int16Array {
  return toMono16k(decodeSamples(bytes, format), audioFormatRate(format));
}

/**
 * Turns the stream of `input_audio_buffer.append` payloads of one session
 * into 16 kHz mono for the turn detector, in the session's
 * `audio.input.format`: `audio/pcm` (s16le, 24 kHz), `audio/pcmu` or
 * `audio/pcma` (G.711, 8 kHz). Appends may cut the stream anywhere: an odd
 * PCM byte is kept for the next append and the resampler carries its phase,
 * so the result does not depend on the chunk size. A change of format
 * starts a new stream.
 */
export class InputAudioDecoder {
  #format: string | undefined;
  #resampler: StreamResampler | undefined;
  #carry: number | undefined;

  /** Decodes the next append. */
  decode(bytes: Uint8Array, format: AudioFormat): Int16Array {
    const key = JSON.stringify(format);
    if (key !== this.#format || !this.#resampler) {
      this.#format = key;
      this.#resampler = new StreamResampler(audioFormatRate(format), DETECTOR_RATE);
      this.#carry = undefined;
    }
    let data = bytes;
    if (format.type === 'audio/pcm') {
      if (this.#carry !== undefined) {
        data = new Uint8Array(bytes.length + 1);
        data[0] = this.#carry;
        data.set(bytes, 1);
        this.#carry = undefined;
      }
      if (data.length % 2 === 1) this.#carry = data[data.length - 1];
    }
    return this.#resampler.push(decodeSamples(data, format));
  }
}
