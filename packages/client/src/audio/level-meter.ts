/** Audio levels for visualizers: RMS of the latest ~20 ms, from 0 (silence) to about 1 (full scale). */
export interface AudioLevels {
  /** The microphone. */
  input: number;
  /** The model's voice. */
  output: number;
}

/**
 * Measures input and output levels with two `AnalyserNode`s on one
 * `AudioContext`, created on first use and closed by `close()`.
 */
export class LevelMeter {
  #context: AudioContext | undefined;
  readonly #analysers = new Map<'input' | 'output', { node: AnalyserNode; source: MediaStreamAudioSourceNode; track: MediaStreamTrack }>();
  #buffer: Float32Array<ArrayBuffer> | undefined;

  /** Starts (or retargets) measuring one side. */
  attach(side: 'input' | 'output', track: MediaStreamTrack): void {
    const current = this.#analysers.get(side);
    if (current?.track === track) return;
    this.#detach(side);
    this.#context ??= new AudioContext();
    const source = this.#context.createMediaStreamSource(new MediaStream([track]));
    const node = this.#context.createAnalyser();
    node.fftSize = 1024;
    source.connect(node);
    this.#analysers.set(side, { node, source, track });
  }

  /** Current levels; 0 for a side not attached. */
  read(): AudioLevels {
    if (this.#context?.state === 'suspended') void this.#context.resume();
    return { input: this.#rms('input'), output: this.#rms('output') };
  }

  /** Disconnects every node and closes the context. */
  close(): void {
    this.#detach('input');
    this.#detach('output');
    const context = this.#context;
    this.#context = undefined;
    if (context && context.state !== 'closed') void context.close().catch(() => undefined);
  }

  #rms(side: 'input' | 'output'): number {
    const entry = this.#analysers.get(side);
    if (!entry) return 0;
    const size = entry.node.fftSize;
    if (this.#buffer?.length !== size) this.#buffer = new Float32Array(size);
    entry.node.getFloatTimeDomainData(this.#buffer);
    let sum = 0;
    for (const v of this.#buffer) sum += v * v;
    return Math.sqrt(sum / size);
  }

  #detach(side: 'input' | 'output'): void {
    const entry = this.#analysers.get(side);
    if (!entry) return;
    entry.source.disconnect();
    entry.node.disconnect();
    this.#analysers.delete(side);
  }
}
