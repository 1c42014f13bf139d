import { describe, expect, it } from 'vitest';
import { concat, frames, silence, tone } from '../test-support/signals.js';
import { thresholdToDbfs } from './level.js';
import { EnergyVad, type VadEvent } from './vad.js';

const defaults = { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 200 };

function run(vad: EnergyVad, audio: Int16Array, frameSize = 160): Array<VadEvent & { atMs: number }> {
  const out: Array<VadEvent & { atMs: number }> = [];
  for (const f of frames(audio, frameSize)) for (const e of vad.process(f)) out.push({ ...e, atMs: vad.positionMs });
  return out;
}

describe('EnergyVad', () => {
  it('reports start (with prefix padding) and stop (after the silence run) on the audio timeline', () => {
    const vad = new EnergyVad(defaults);
    const events = run(vad, concat(silence(500), tone(1000, 0.3), silence(600)));
    expect(events).toEqual([
      { type: 'speech_started', onsetMs: 500, audioStartMs: 200, atMs: 530 },
      { type: 'speech_stopped', audioEndMs: 1700, speechEndMs: 1500, atMs: 1700 },
    ]);
    expect(vad.positionMs).toBe(2100);
  });

  it('does not depend on the frame size it is fed with', () => {
    const audio = concat(silence(400), tone(800, 0.2), silence(500));
    const a = run(new EnergyVad(defaults), audio, 160).map(({ atMs: _, ...e }) => e);
    const b = run(new EnergyVad(defaults), audio, 37).map(({ atMs: _, ...e }) => e);
    expect(b).toEqual(a);
  });

  it('clamps audio_start_ms at 0 and at the floor set by reset()', () => {
    const vad = new EnergyVad(defaults);
    expect(run(vad, tone(300, 0.3))[0]).toMatchObject({ type: 'speech_started', audioStartMs: 0 });
    run(vad, silence(300));
    vad.reset(); // floor = 600 ms
    const e = run(vad, concat(silence(100), tone(300, 0.3)));
    expect(e[0]).toMatchObject({ type: 'speech_started', onsetMs: 700, audioStartMs: 600 });
  });

  it('honours the threshold: a quiet signal is speech at 0.3 but not at 0.5', () => {
    // −46 dBFS tone: below −40 dBFS (0.5) and above −52 dBFS (0.3).
    const quiet = concat(tone(600, 10 ** (-46 / 20) * Math.SQRT2), silence(400));
    expect(run(new EnergyVad(defaults), quiet)).toEqual([]);
    const events = run(new EnergyVad({ ...defaults, threshold: 0.3 }), quiet);
    expect(events.map((e) => e.type)).toEqual(['speech_started', 'speech_stopped']);
  });

  it('maps threshold 0..1 to −70..−10 dBFS', () => {
    expect(thresholdToDbfs(0)).toBe(-70);
    expect(thresholdToDbfs(0.5)).toBe(-40);
    expect(thresholdToDbfs(1)).toBe(-10);
  });

  it('keeps a turn going through pauses shorter than silence_duration_ms', () => {
    const audio = concat(tone(400, 0.3), silence(300), tone(400, 0.3), silence(800));
    const short = run(new EnergyVad({ ...defaults, silenceDurationMs: 200 }), audio).map((e) => e.type);
    expect(short).toEqual(['speech_started', 'speech_stopped', 'speech_started', 'speech_stopped']);
    const long = run(new EnergyVad({ ...defaults, silenceDurationMs: 500 }), audio);
    expect(long.map((e) => e.type)).toEqual(['speech_started', 'speech_stopped']);
    expect(long[1]).toMatchObject({ audioEndMs: 1600, speechEndMs: 1100 });
  });

  it('ignores clicks shorter than the minimum speech time', () => {
    const audio = concat(silence(200), tone(20, 0.5), silence(500));
    expect(run(new EnergyVad(defaults), audio)).toEqual([]);
  });
});
