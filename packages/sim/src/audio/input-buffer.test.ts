import { describe, expect, it } from 'vitest';
import { InputAudioBuffer } from './input-buffer.js';

const ramp = (from: number, n: number) => Int16Array.from({ length: n }, (_, i) => (from + i) % 30000);

describe('InputAudioBuffer', () => {
  it('keeps an absolute timeline across drops and lazy compaction', () => {
    const b = new InputAudioBuffer(16_000);
    for (let i = 0; i < 500; i++) {
      b.append(ramp(i * 160, 160));
      b.dropBefore(b.endMs - 800); // what the turn detector does while nobody speaks
    }
    expect(b.endMs).toBe(5000);
    expect(b.startMs).toBeLessThanOrEqual(4200);
    expect(b.startMs).toBeGreaterThan(3000);
    const s = b.slice(4500, 4510);
    expect(s.length).toBe(160);
    expect(s[0]).toBe((4500 * 16) % 30000);
    expect(b.slice(0, 100).length).toBe(0);
  });

  it('slices are clamped to what is retained', () => {
    const b = new InputAudioBuffer(16_000);
    b.append(ramp(0, 16_000));
    b.dropBefore(250);
    expect(b.slice(0, 500).length).toBe(4000);
    expect(b.slice(900, 2000).length).toBe(1600);
  });
});
