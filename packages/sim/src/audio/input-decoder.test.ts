import { describe, expect, it } from 'vitest';
import { encodeG711 } from './g711.js';
import { decodeInputAudio, InputAudioDecoder } from './input-decoder.js';
import { rms } from './level.js';
import { encodePcm16le } from './pcm16.js';
import { resampleLinear, StreamResampler } from './resample.js';
import { tone } from '../test-support/signals.js';

const PCM24 = { type: 'audio/pcm', rate: 24000 } as const;

/** Feeds `bytes` to a fresh decoder in chunks of the given sizes (cycled). */
function decodeInChunks(bytes: Uint8Array, sizes: number[], format: Parameters<InputAudioDecoder['decode']>[1]): Int16Array {
  const decoder = new InputAudioDecoder();
  const parts: number[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length]!;
    parts.push(...decoder.decode(bytes.subarray(at, at + size), format));
    at += size;
  }
  return Int16Array.from(parts);
}

/** Frequency of a tone from its zero crossings. */
function frequency(samples: Int16Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if ((samples[i - 1]! < 0) !== (samples[i]! < 0)) crossings += 1;
  return (crossings / 2) * (rate / samples.length);
}

describe('StreamResampler', () => {
  it('gives the same samples as resampling the whole stream at once, for any chunking', () => {
    const input = tone(500, 0.5, 24_000, 300);
    const whole = resampleLinear(input, 24_000, 16_000);
    for (const size of [1, 7, 480, 1001]) {
      const r = new StreamResampler(24_000, 16_000);
      const out: number[] = [];
      for (let i = 0; i < input.length; i += size) out.push(...r.push(input.subarray(i, i + size)));
      // Same length up to the last partial step, same values.
      expect(Math.abs(out.length - whole.length)).toBeLessThanOrEqual(1);
      for (let i = 0; i < Math.min(out.length, whole.length) - 1; i++) expect(Math.abs(out[i]! - whole[i]!)).toBeLessThanOrEqual(1);
    }
  });
});

describe('InputAudioDecoder', () => {
  it('audio/pcm: s16le 24 kHz to 16 kHz; odd-sized appends keep the stream aligned', () => {
    const input = tone(1000, 0.3, 24_000, 440);
    const bytes = encodePcm16le(input);
    const whole = decodeInChunks(bytes, [bytes.length], PCM24);
    expect(whole.length).toBe(16_000);
    expect(frequency(whole, 16_000)).toBeCloseTo(440, -1);
    expect(rms(whole)).toBeCloseTo(0.3 / Math.SQRT2, 2);
    // 20–40 ms appends of odd byte counts: a sample is split across two appends.
    const chunked = decodeInChunks(bytes, [961, 1441, 1919], PCM24);
    expect(chunked.length).toBe(whole.length);
    expect(Array.from(chunked)).toEqual(Array.from(whole));
  });

  it('audio/pcmu and audio/pcma: G.711 at 8 kHz to 16 kHz', () => {
    const input = tone(1000, 0.3, 8_000, 300);
    for (const [type, law] of [['audio/pcmu', 'ulaw'], ['audio/pcma', 'alaw']] as const) {
      const out = decodeInChunks(encodeG711(input, law), [160, 240, 320], { type });
      // Doubling the rate: the sample between the last input and the next one waits for the next append.
      expect(out.length).toBe(15_999);
      expect(frequency(out, 16_000)).toBeCloseTo(300, -1);
      expect(rms(out)).toBeCloseTo(0.3 / Math.SQRT2, 2);
    }
  });

  it('a format change starts a new stream (no carried byte)', () => {
    const decoder = new InputAudioDecoder();
    expect(decoder.decode(Uint8Array.from([1, 2, 3]), PCM24).length).toBe(1);
    // 0xff is µ-law zero: the carried PCM byte must not leak into the G.711 stream.
    expect(Array.from(decoder.decode(Uint8Array.from([0xff, 0xff]), { type: 'audio/pcmu' })).every((s) => s === 0)).toBe(true);
  });

  it('decodeInputAudio decodes one whole buffer in any format', () => {
    expect(decodeInputAudio(encodePcm16le(tone(100, 0.5, 24_000)), PCM24).length).toBe(1600);
    expect(decodeInputAudio(encodeG711(tone(100, 0.5, 8_000), 'alaw'), { type: 'audio/pcma' }).length).toBe(1600);
  });
});
