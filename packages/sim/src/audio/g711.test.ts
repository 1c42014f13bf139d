import { describe, expect, it } from 'vitest';
import { decodeG711 } from './g711.js';

describe('decodeG711', () => {
  it('decodes the reference values of both laws', () => {
    // µ-law 0xFF/0x7F are ±0, 0x00 is the most negative (-32124), 0x80 the most positive.
    expect(Array.from(decodeG711(Uint8Array.from([0xff, 0x7f, 0x00, 0x80]), 'ulaw'))).toEqual([0, 0, -32124, 32124]);
    // A-law 0xD5 is +8, 0x55 is -8, 0xAA is +32256, 0x2A is -32256.
    expect(Array.from(decodeG711(Uint8Array.from([0xd5, 0x55, 0xaa, 0x2a]), 'alaw'))).toEqual([8, -8, 32256, -32256]);
  });
});
