/*
 * The audio worklet (worklet/rtvoice-audio-worklet.js), run as the browser runs it:
 * process() per render quantum, messages through its port.
 */
import { describe, expect, it } from 'vitest';
import type { MessagePort } from 'node:worker_threads';
import { loadWorklet } from '../../test/worklet-scope.js';

type Msg = Record<string, unknown>;

function create(name: string, processorOptions: unknown, sampleRate = 48_000) {
  const { processors, setPort } = loadWorklet(sampleRate);
  const posted: unknown[] = [];
  const port = { onmessage: null as ((e: { data: unknown }) => void) | null, postMessage: (m: unknown) => posted.push(m) };
  setPort(port as unknown as MessagePort);
  const processor = new (processors.get(name)!)({ processorOptions });
  return { processor, posted, send: (data: unknown) => port.onmessage?.({ data }) };
}

/** Runs `quanta` render quanta of 128 frames; returns the concatenated output. */
function render(processor: { process(i: Float32Array[][], o: Float32Array[][]): boolean }, quanta: number): Float32Array {
  const out = new Float32Array(quanta * 128);
  for (let q = 0; q < quanta; q++) {
    const o = new Float32Array(128);
    expect(processor.process([], [[o]])).toBe(true);
    out.set(o, q * 128);
  }
  return out;
}

describe('rtvoice-capture', () => {
  it('cuts 48 kHz input into 20 ms chunks at 24 kHz, averaging pairs of samples', () => {
    const { processor, posted } = create('rtvoice-capture', { rate: 24000, chunkMs: 20 });
    const ramp = Float32Array.from({ length: 128 }, (_, i) => i / 128);
    for (let q = 0; q < 8; q++) processor.process([[ramp]], []);
    // 8 × 128 input samples = 512 output samples = one chunk of 480 and 32 pending.
    expect(posted).toHaveLength(1);
    const chunk = posted[0] as Float32Array;
    expect(chunk).toHaveLength(480);
    expect(chunk[0]).toBeCloseTo((0 + 1 / 128) / 2, 6);
    expect(chunk[1]).toBeCloseTo((2 / 128 + 3 / 128) / 2, 6);
  });

  it('keeps posting chunk after chunk (each transferred to the main thread)', () => {
    const { processors, setPort } = loadWorklet(48_000);
    const chunks: Float32Array[] = [];
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = (e: MessageEvent<Float32Array>) => chunks.push(e.data);
    setPort(port2 as unknown as MessagePort);
    const processor = new (processors.get('rtvoice-capture')!)({ processorOptions: { rate: 24000, chunkMs: 20 } });
    for (let q = 0; q < 30; q++) processor.process([[new Float32Array(128).fill(0.1)]], []);
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        // 30 × 128 / 2 = 1920 samples = 4 chunks of 480, every one full.
        expect(chunks.map((c) => c.length)).toEqual([480, 480, 480, 480]);
        port1.close();
        resolve();
      }, 20),
    );
  });

  it('follows a new input rate (G.711 is 8 kHz)', () => {
    const { processor, posted, send } = create('rtvoice-capture', { rate: 24000, chunkMs: 20 });
    send({ rate: 8000 });
    const ones = new Float32Array(128).fill(0.25);
    for (let q = 0; q < 8; q++) processor.process([[ones]], []);
    // 1024 input samples at a ratio of 6 = 170 output samples: one chunk of 160.
    expect(posted).toHaveLength(1);
    expect((posted[0] as Float32Array).length).toBe(160);
    expect([...(posted[0] as Float32Array)].every((x) => Math.abs(x - 0.25) < 1e-6)).toBe(true);
  });

  it('upsamples when the context runs slower than the input rate', () => {
    const { processor, posted } = create('rtvoice-capture', { rate: 24000, chunkMs: 10 }, 16000);
    processor.process([[new Float32Array(160).fill(0.5)]], []);
    expect(posted).toHaveLength(1);
    expect((posted[0] as Float32Array).length).toBe(240);
  });

  it('posts nothing without an input (no microphone attached)', () => {
    const { processor, posted } = create('rtvoice-capture', { rate: 24000, chunkMs: 20 });
    for (let q = 0; q < 20; q++) expect(processor.process([[]], [])).toBe(true);
    expect(posted).toHaveLength(0);
  });
});

describe('rtvoice-playback', () => {
  const chunk = (n: number, value = 0.5) => new Float32Array(n).fill(value);

  it('waits for the jitter buffer, then plays at the context rate and reports the start', () => {
    const { processor, posted, send } = create('rtvoice-playback', { prebufferMs: 40 });
    send({ t: 'push', item: 'item_1', data: chunk(480), rate: 24000 }); // 20 ms: below the buffer
    expect(render(processor, 2).every((x) => x === 0)).toBe(true);
    expect(posted).toHaveLength(0);
    send({ t: 'push', item: 'item_1', data: chunk(480), rate: 24000 }); // 40 ms
    const out = render(processor, 1);
    expect(out.every((x) => Math.abs(x - 0.5) < 1e-6)).toBe(true);
    expect(posted[0]).toEqual({ t: 'start', item: 'item_1' });
  });

  it('plays below the jitter buffer once told the answer has ended', () => {
    const { processor, posted, send } = create('rtvoice-playback', { prebufferMs: 40 });
    send({ t: 'push', item: 'a', data: chunk(240), rate: 24000 }); // 10 ms
    send({ t: 'end' });
    const out = render(processor, 5);
    expect(out.filter((x) => x !== 0).length).toBe(480); // 10 ms at 48 kHz
    expect(posted.at(-1)).toEqual({ t: 'idle', item: 'a', played: 240, pushes: 1 });
  });

  it('answers clear with exactly how much of the item was played, and goes silent at once', () => {
    const { processor, posted, send } = create('rtvoice-playback', { prebufferMs: 0 });
    send({ t: 'push', item: 'item_x', data: chunk(24000), rate: 24000 }); // 1 s
    render(processor, 75); // 75 × 128 frames at 48 kHz = 200 ms = 4800 source samples
    send({ t: 'clear', id: 7 });
    expect(posted.at(-1)).toEqual({ t: 'cleared', id: 7, item: 'item_x', played: 4800 });
    expect(render(processor, 4).every((x) => x === 0)).toBe(true);
  });

  it('counts each item on its own and reports moving on to the next', () => {
    const { processor, posted, send } = create('rtvoice-playback', { prebufferMs: 0 });
    send({ t: 'push', item: 'first', data: chunk(240, 0.1), rate: 24000 });
    send({ t: 'push', item: 'second', data: chunk(2400, 0.2), rate: 24000 });
    render(processor, 10); // 1280 frames = 640 source samples: all of `first`, 400 of `second`
    expect(posted).toEqual([{ t: 'start', item: 'first' }, { t: 'start', item: 'second' }]);
    send({ t: 'clear', id: 1 });
    expect(posted.at(-1)).toEqual({ t: 'cleared', id: 1, item: 'second', played: 400 });
  });

  it('reports a resumed item after a gap (audio arriving slower than real time)', () => {
    const { processor, posted, send } = create('rtvoice-playback', { prebufferMs: 0 });
    send({ t: 'push', item: 'slow', data: chunk(240), rate: 24000 });
    render(processor, 5);
    expect(posted).toEqual([{ t: 'start', item: 'slow' }, { t: 'idle', item: 'slow', played: 240, pushes: 1 }]);
    send({ t: 'push', item: 'slow', data: chunk(240), rate: 24000 });
    render(processor, 1);
    expect(posted.at(-1)).toEqual({ t: 'start', item: 'slow' });
  });

  it('plays 8 kHz G.711 audio at the right speed', () => {
    const { processor, posted, send } = create('rtvoice-playback', { prebufferMs: 0 });
    send({ t: 'push', item: 'g', data: chunk(80), rate: 8000 }); // 10 ms
    send({ t: 'end' });
    const out = render(processor, 4);
    expect(out.filter((x) => x !== 0).length).toBe(480);
    expect(posted.at(-1)).toMatchObject({ t: 'idle', played: 80 });
  });
});

describe('stop (so that Chromium can let the node and its context go)', () => {
  for (const name of ['rtvoice-capture', 'rtvoice-playback']) {
    it(`${name}: after { t: 'stop' }, process() returns false and says { t: 'stopped' } once`, () => {
      const { processor, posted, send } = create(name, { rate: 24000, chunkMs: 20 });
      const input = [[new Float32Array(128)]];
      const output = () => [[new Float32Array(128)]];
      expect(processor.process(input, output())).toBe(true);
      send({ t: 'stop' });
      expect(processor.process(input, output())).toBe(false);
      expect(processor.process(input, output())).toBe(false);
      expect(posted.filter((m) => (m as Msg).t === 'stopped')).toEqual([{ t: 'stopped' }]);
    });
  }
});
