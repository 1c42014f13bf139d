/*
 * Loads worklet/rtvoice-audio-worklet.js the way a browser's AudioWorkletGlobalScope
 * would: with `AudioWorkletProcessor`, `registerProcessor` and `sampleRate` as
 * globals. Not part of the package.
 */
import { readFileSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';

const WORKLET = new URL('../worklet/rtvoice-audio-worklet.js', import.meta.url);

/** A processor class registered by the worklet. */
export type ProcessorClass = new (options: { processorOptions?: unknown }) => {
  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
};

/** Runs the worklet file; `setPort` gives the next processor its `port`. */
export function loadWorklet(sampleRate = 48_000): { processors: Map<string, ProcessorClass>; setPort(port: MessagePort): void } {
  const processors = new Map<string, ProcessorClass>();
  let nextPort: MessagePort | undefined;
  class AudioWorkletProcessor {
    readonly port: MessagePort;
    constructor() {
      this.port = nextPort!;
    }
  }
  const scope = new Function('AudioWorkletProcessor', 'registerProcessor', 'sampleRate', readFileSync(WORKLET, 'utf8'));
  scope(AudioWorkletProcessor, (name: string, cls: ProcessorClass) => processors.set(name, cls), sampleRate);
  return { processors, setPort: (port) => (nextPort = port) };
}

