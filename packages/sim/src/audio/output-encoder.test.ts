import { describe, expect, it } from 'vitest';
import { decodeG711 } from './g711.js';
import { rms } from './level.js';
import { OutputAudioEncoder } from './output-encoder.js';
import { decodePcm16le } from './pcm16.js';
import { tone } from '../test-support/signals.js';

describe('OutputAudioEncoder', () => {
  const speech = tone(1000, 0.4, 48_000, 200);

  it('audio/pcm: 48 kHz to s16le 24 kHz, chunk edges carried over', () => {
    const enc = new OutputAudioEncoder({ type: 'audio/pcm', rate: 24000 });
    const parts = [enc.encode(speech.subarray(0, 4801)), enc.encode(speech.subarray(4801, 30_001)), enc.encode(speech.subarray(30_001))];
    expect(parts[0]!.length).toBe(2400 * 2);
    const all = decodePcm16le(Uint8Array.from(parts.flatMap((p) => Array.from(p))));
    expect(all.length).toBe(24_000);
    expect(rms(all)).toBeCloseTo(0.4 / Math.SQRT2, 2);
  });

  it('audio/pcmu and audio/pcma: 48 kHz to G.711 8 kHz; a last partial group is dropped', () => {
    for (const [type, law] of [['audio/pcmu', 'ulaw'], ['audio/pcma', 'alaw']] as const) {
      const enc = new OutputAudioEncoder({ type });
      const bytes = [...enc.encode(speech.subarray(0, 1000)), ...enc.encode(speech.subarray(1000, 47_999))];
      // 47 999 samples: 7 999 whole groups of 6; the 5 left over never fill a group.
      expect(bytes.length).toBe(7999);
      const decoded = decodeG711(Uint8Array.from(bytes), law);
      expect(rms(decoded)).toBeCloseTo(0.4 / Math.SQRT2, 2);
    }
  });
});
