import { describe, expect, it } from 'vitest';
import { decodePcm16le, encodePcm16le } from './pcm16.js';

describe('s16le PCM', () => {
  it('decodes little-endian signed samples at any buffer offset, ignoring a trailing odd byte', () => {
    const bytes = Uint8Array.from([0xee, 0x01, 0x02, 0x00, 0x80, 0xff, 0x7f, 0xfe, 0xff, 0x09]);
    // Offset 1: a typed-array view on the same memory would throw (unaligned).
    const unaligned = new Uint8Array(bytes.buffer, 1, 9);
    expect(Array.from(decodePcm16le(unaligned))).toEqual([0x0201, -32768, 32767, -2]);
  });

  it('encodes little-endian and round-trips', () => {
    const samples = Int16Array.from([0, 1, -1, 258, -32768, 32767]);
    const bytes = encodePcm16le(samples);
    expect(Array.from(bytes)).toEqual([0, 0, 1, 0, 0xff, 0xff, 2, 1, 0x00, 0x80, 0xff, 0x7f]);
    expect(Array.from(decodePcm16le(bytes))).toEqual(Array.from(samples));
  });
});
