import { describe, expect, it } from 'vitest';
import { alawToLinear, decodeAudio, encodeAudio, formatRate, linearToAlaw, linearToMulaw, mulawToLinear, sessionFormat } from './pcm.js';

describe('G.711', () => {
  it('encodes the reference values of ITU-T G.711', () => {
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToMulaw(-1)).toBe(0x7e); // -1 >> 2 is -1: the smallest negative step (Sun g711.c)
    expect(linearToMulaw(32767)).toBe(0x80);
    expect(linearToMulaw(-32768)).toBe(0x00);
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
  });

  it('decodes the reference values', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x80)).toBe(32124);
    expect(mulawToLinear(0x00)).toBe(-32124);
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0xaa)).toBe(32256);
    expect(alawToLinear(0x2a)).toBe(-32256);
  });

  it('round-trips every 16-bit sample within the companding step', () => {
    for (let s = -32768; s <= 32767; s += 7) {
      const tolerance = Math.max(16, Math.abs(s) / 16);
      expect(Math.abs(mulawToLinear(linearToMulaw(s)) - s)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(alawToLinear(linearToAlaw(s)) - s)).toBeLessThanOrEqual(tolerance);
    }
  });
});

describe('encodeAudio / decodeAudio', () => {
  const tone = Float32Array.from({ length: 480 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 24000));

  it('writes PCM16 little-endian, two bytes per sample', () => {
    const b64 = encodeAudio(Float32Array.of(0, 0.5, -0.5, 1, -1), { type: 'audio/pcm', rate: 24000 });
    expect([...Buffer.from(b64, 'base64')]).toEqual([0, 0, 0x00, 0x40, 0x00, 0xc0, 0xff, 0x7f, 0x00, 0x80]);
  });

  it.each(['audio/pcm', 'audio/pcmu', 'audio/pcma'] as const)('round-trips a tone in %s', (type) => {
    const back = decodeAudio(encodeAudio(tone, { type }), { type });
    expect(back).toHaveLength(tone.length);
    const err = Math.max(...back.map((x, i) => Math.abs(x - tone[i]!)));
    expect(err).toBeLessThan(type === 'audio/pcm' ? 1e-4 : 0.02);
  });

  it('clips samples beyond full scale instead of wrapping', () => {
    const back = decodeAudio(encodeAudio(Float32Array.of(1.7, -3), { type: 'audio/pcm' }), { type: 'audio/pcm' });
    expect(back[0]).toBeCloseTo(32767 / 32768, 6);
    expect(back[1]).toBe(-1);
  });
});

describe('formats of a session', () => {
  it('reads audio.input/output.format and their rates', () => {
    const session = { audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcm', rate: 24000 } } } };
    expect(sessionFormat(session, 'input')).toEqual({ type: 'audio/pcmu' });
    expect(formatRate(sessionFormat(session, 'input')!)).toBe(8000);
    expect(formatRate(sessionFormat(session, 'output')!)).toBe(24000);
    expect(sessionFormat({ audio: { input: { format: { type: 'audio/opus' } } } }, 'input')).toBeUndefined();
    expect(sessionFormat({}, 'output')).toBeUndefined();
  });
});
