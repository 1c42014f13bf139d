import { describe, expect, it } from 'vitest';
import { decodeG711, encodeG711, linearToAlaw, linearToUlaw } from './g711.js';

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('decodeG711', () => {
  it('decodes the reference values of both laws', () => {
    // µ-law 0xFF/0x7F are ±0, 0x00 is the most negative (-32124), 0x80 the most positive.
    expect(Array.from(decodeG711(Uint8Array.from([0xff, 0x7f, 0x00, 0x80]), 'ulaw'))).toEqual([0, 0, -32124, 32124]);
    // A-law 0xD5 is +8, 0x55 is -8, 0xAA is +32256, 0x2A is -32256.
    expect(Array.from(decodeG711(Uint8Array.from([0xd5, 0x55, 0xaa, 0x2a]), 'alaw'))).toEqual([8, -8, 32256, -32256]);
  });

  it('is monotonic over each law\'s 128 magnitudes', () => {
    // µ-law: 0x80..0xFF run from +32124 down to 0; A-law positive codes (sign bit set after the
    // 0x55 mask) sorted by their decoded value are strictly increasing and distinct.
    const ulawPositive = Array.from(decodeG711(allBytes.subarray(128), 'ulaw'));
    for (let i = 1; i < ulawPositive.length; i++) expect(ulawPositive[i]).toBeLessThan(ulawPositive[i - 1]!);
    const alaw = Array.from(decodeG711(allBytes, 'alaw'));
    expect(new Set(alaw).size).toBe(256);
  });
});

describe('encodeG711', () => {
  it('encodes the reference values of both laws (Sun g711.c)', () => {
    expect([0, 32767, -32768, -1, -8].map(linearToUlaw)).toEqual([0xff, 0x80, 0x00, 0x7e, 0x7e]);
    expect([0, 32767, -32768, -1].map(linearToAlaw)).toEqual([0xd5, 0xaa, 0x2a, 0x55]);
    // The largest µ-law step below clipping, and A-law's first segment boundary.
    expect(linearToUlaw(32124)).toBe(0x80);
    expect(linearToAlaw(8)).toBe(0xd5);
    expect(linearToAlaw(16)).toBe(0xd4);
  });

  it('round-trips every code: encode(decode(b)) === b (µ-law\'s negative zero 0x7F comes back as 0xFF)', () => {
    const expected = (law: 'ulaw' | 'alaw', b: number): number => (law === 'ulaw' && b === 0x7f ? 0xff : b);
    for (const law of ['ulaw', 'alaw'] as const) {
      expect(Array.from(encodeG711(decodeG711(allBytes, law), law))).toEqual(Array.from(allBytes, (b) => expected(law, b)));
    }
  });

  it('keeps a sine within G.711\'s quantisation error', () => {
    const sine = Int16Array.from({ length: 800 }, (_, i) => Math.round(20_000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    for (const law of ['ulaw', 'alaw'] as const) {
      const back = decodeG711(encodeG711(sine, law), law);
      for (let i = 0; i < sine.length; i++) {
        const s = sine[i]!;
        // Logarithmic steps: the error is at most about 1/32 of the magnitude (plus the smallest step).
        expect(Math.abs(back[i]! - s)).toBeLessThanOrEqual(Math.abs(s) / 30 + 16);
      }
    }
  });
});
