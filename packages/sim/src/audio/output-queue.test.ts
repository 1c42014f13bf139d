import { describe, expect, it, vi } from 'vitest';
import { OUTPUT_FRAME_SAMPLES, OutputAudioQueue } from './output-queue.js';

const ramp = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => (i % 1000) + 1);

describe('OutputAudioQueue', () => {
  it('plays segments frame by frame, then silence, firing start/end once', () => {
    const q = new OutputAudioQueue();
    const onStart = vi.fn();
    const onEnd = vi.fn();
    q.enqueue('a', ramp(1000), { onStart, onEnd });
    q.finish('a');
    const f1 = q.nextFrame();
    expect(onStart).toHaveBeenCalledTimes(1);
    expect(f1?.length).toBe(OUTPUT_FRAME_SAMPLES);
    expect(f1?.[0]).toBe(1);
    expect(q.playedMs('a')).toBe(10);
    q.nextFrame();
    const last = q.nextFrame(); // 40 samples + padding
    expect(last?.[39]).toBe(1000);
    expect(last?.[40]).toBe(0);
    expect(onEnd).toHaveBeenCalledWith(21);
    expect(q.idle).toBe(true);
    expect(q.nextFrame()?.every((s) => s === 0)).toBe(true);
    expect(onStart).toHaveBeenCalledTimes(1);
  });

  it('streams: an open segment underruns with silence without ending', () => {
    const q = new OutputAudioQueue();
    const onEnd = vi.fn();
    q.enqueue('a', ramp(480), { onEnd });
    expect(q.nextFrame()?.[0]).toBe(1);
    expect(q.nextFrame()?.every((s) => s === 0)).toBe(true);
    expect(q.underruns).toBe(1);
    q.append('a', ramp(480));
    q.finish('a');
    expect(q.nextFrame()?.[0]).toBe(1);
    expect(onEnd).toHaveBeenCalledWith(20);
  });

  it('clear() reports what was played and drops the rest', () => {
    const q = new OutputAudioQueue();
    q.enqueue('a', ramp(48_000));
    q.enqueue('b', ramp(4800));
    for (let i = 0; i < 25; i++) q.nextFrame();
    expect(q.clear('a')).toEqual([{ id: 'a', playedMs: 250, started: true }]);
    expect(q.currentId).toBe('b');
    expect(q.clear()).toEqual([{ id: 'b', playedMs: 0, started: false }]);
    expect(q.idle).toBe(true);
  });

  it('muted: returns null and does not advance', () => {
    const q = new OutputAudioQueue();
    q.enqueue('a', ramp(960));
    q.muted = true;
    expect(q.nextFrame()).toBeNull();
    expect(q.playedMs('a')).toBe(0);
  });
});

describe('upsample16kTo48k', () => {
  it('matches the generic linear resampler', async () => {
    const { resampleLinear, upsample16kTo48k } = await import('./resample.js');
    const input = Int16Array.from({ length: 1000 }, (_, i) => Math.round(Math.sin(i / 7) * 20000));
    const fast = upsample16kTo48k(input);
    const generic = resampleLinear(input, 16_000, 48_000);
    expect(fast.length).toBe(3000);
    let maxDiff = 0;
    for (let i = 0; i < fast.length; i++) maxDiff = Math.max(maxDiff, Math.abs((fast[i] ?? 0) - (generic[i] ?? 0)));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});

describe('OutputAudioQueue: empty segments', () => {
  it('a segment finished with no audio ends without starting', () => {
    const q = new OutputAudioQueue();
    const onStart = vi.fn();
    const onEnd = vi.fn();
    q.enqueue('empty', new Int16Array(0), { onStart, onEnd });
    q.finish('empty');
    expect(q.nextFrame()?.every((s) => s === 0)).toBe(true);
    expect(onStart).not.toHaveBeenCalled();
    expect(onEnd).toHaveBeenCalledWith(0);
    expect(q.idle).toBe(true);
  });
});
