/** Audio levels for visualizers: RMS of the latest ~20 ms, from 0 (silence) to about 1 (full scale). */
export interface AudioLevels {
  /** The microphone. */
  input: number;
  /** The model's voice. */
  output: number;
}

type Side = 'input' | 'output';

/**
 * Measures input and output levels with two `AnalyserNode`s on one
 * `AudioContext`. The context is created in `connect()` (a user gesture, so
 * it may start) and closed by `close()`. Reads allocate nothing: cheap enough
 * for every animation frame.
 */
export class LevelMeter {
  #context: AudioContext | undefined;
  readonly #analysers = new Map<Side, { node: AnalyserNode; source: MediaStreamAudioSourceNode; track: MediaStreamTrack }>();
  #buffer: Float32Array<ArrayBuffer> | undefined;

  /** Creates (or resumes) the context; call from a user gesture. Never rejects. */
  resume(): void {
    if (typeof AudioContext === 'undefined') return;
    try {
      this.#context ??= new AudioContext();
      if (this.#context.state === 'suspended') this.#context.resume().catch(() => undefined);
    } catch {
      // No audio output device, or too many contexts: levels stay 0.
    }
  }

  /** Starts (or retargets) measuring one side. */
  attach(side: Side, track: MediaStreamTrack): void {
    if (this.#analysers.get(side)?.track === track) return;
    this.#detach(side);
    this.resume();
    const context = this.#context;
    if (!context) return;
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const node = context.createAnalyser();
    node.fftSize = 512;
    node.smoothingTimeConstant = 0.6;
    source.connect(node);
    this.#analysers.set(side, { node, source, track });
  }

  /** Current levels; 0 for a side not attached. */
  read(): AudioLevels {
    return { input: this.#rms('input'), output: this.#rms('output') };
  }

  /** Fills `target` with the current frequency spectrum (0–255 per bin) of one side; zeros when not attached. */
  frequencyData(side: Side, target: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
    const entry = this.#analysers.get(side);
    if (entry) entry.node.getByteFrequencyData(target);
    else target.fill(0);
    return target;
  }

  /** Disconnects every node and closes the context; resolves once it is closed. Never rejects. */
  async close(): Promise<void> {
    this.#detach('input');
    this.#detach('output');
    const context = this.#context;
    this.#context = undefined;
    if (context && context.state !== 'closed') await context.close().catch(() => undefined);
  }

  #rms(side: Side): number {
    const entry = this.#analysers.get(side);
    if (!entry) return 0;
    const size = entry.node.fftSize;
    if (this.#buffer?.length !== size) this.#buffer = new Float32Array(size);
    entry.node.getFloatTimeDomainData(this.#buffer);
    let sum = 0;
    for (const v of this.#buffer) sum += v * v;
    return Math.sqrt(sum / size);
  }

  #detach(side: Side): void {
    const entry = this.#analysers.get(side);
    if (!entry) return;
    entry.source.disconnect();
    entry.node.disconnect();
    this.#analysers.delete(side);
  }
}
