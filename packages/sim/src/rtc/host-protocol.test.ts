import { describe, expect, it } from 'vitest';
import { AudioBatcher, compact, unpack } from './host-protocol.js';

describe('audio batches between the sim and its rtc hosts', () => {
  it('carry each call its own samples, in order, whatever their lengths', () => {
    const batcher = new AudioBatcher();
    expect(batcher.flush()).toBeUndefined();
    batcher.add(7, Int16Array.of(1, 2, 3));
    batcher.add(9, Int16Array.of(4));
    batcher.add(7, Int16Array.of(5, 6));
    const batch = batcher.flush()!;
    expect(batcher.size).toBe(0);
    const got: Array<[number, number[]]> = [];
    unpack(batch, (id, samples) => got.push([id, [...samples]]));
    expect(got).toEqual([[7, [1, 2, 3]], [9, [4]], [7, [5, 6]]]);
  });

  it('compact() gives a frame its own buffer only when it is a view', () => {
    const whole = Int16Array.of(1, 2);
    expect(compact(whole)).toBe(whole);
    const view = new Int16Array(8).subarray(2, 4);
    expect(compact(view).buffer.byteLength).toBe(4);
  });
});
