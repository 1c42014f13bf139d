import { RtvoiceError } from '../errors.js';
import { untilAborted } from '../session/abort.js';
import { echoCancellableTrack } from './aec-loopback.js';

/** User gestures that let a suspended `AudioContext` start. */
const GESTURES = ['pointerdown', 'keydown', 'touchend'] as const;

/** Messages the playback worklet posts. */
export type PlaybackMessage =
  | { t: 'start'; item: string }
  | { t: 'idle'; item: string | null; played: number; pushes: number }
  | { t: 'cleared'; id: number; item: string | null; played: number };

/** Options of {@link WsAudio.open}. */
export interface WsAudioOptions {
  workletUrl: string | URL;
  /** Input chunk length in ms. */
  chunkMs: number;
  /** Jitter buffer before playback starts, in ms. */
  prebufferMs: number;
  /** Route playback through a local WebRTC loopback so Chrome's echo canceller hears it. */
  echoLoopback: boolean;
  onChunk(samples: Float32Array): void;
  onPlayback(message: PlaybackMessage): void;
}

/**
 * The WebSocket transport's audio engine, in one `AudioContext`: the
 * microphone goes through the `rtvoice-capture` worklet (resampled to the
 * session's input rate, cut into chunks), the model's audio through the
 * `rtvoice-playback` worklet into a `MediaStream` that the session plays like
 * a WebRTC remote track (same `<audio>` element, output device, levels).
 * Closing it releases the context, every node and the loopback.
 */
export class WsAudio {
  readonly #ctx: AudioContext;
  readonly #capture: AudioWorkletNode;
  readonly #playback: AudioWorkletNode;
  #source: MediaStreamAudioSourceNode | undefined;
  #track: MediaStreamTrack | null = null;
  #closeLoopback: (() => void) | undefined;
  #closed: Promise<void> | undefined;
  /** The stream to play: the playback output, through the loopback when it connected. */
  stream!: MediaStream;

  private constructor(ctx: AudioContext, capture: AudioWorkletNode, playback: AudioWorkletNode) {
    this.#ctx = ctx;
    this.#capture = capture;
    this.#playback = playback;
  }

  /**
   * Creates the context, loads the worklet module and wires the graph.
   *
   * @throws RtvoiceError `unsupported_environment` without AudioWorklet, `audio_worklet_failed` when the module cannot be loaded, `aborted`.
   */
  static async open(options: WsAudioOptions, signal: AbortSignal): Promise<WsAudio> {
    if (typeof AudioContext === 'undefined' || typeof AudioWorkletNode === 'undefined') {
      throw new RtvoiceError('unsupported_environment', 'No AudioWorklet here.');
    }
    const ctx = new AudioContext({ latencyHint: 'interactive' });
    try {
      try {
        await untilAborted(ctx.audioWorklet.addModule(String(options.workletUrl)), signal);
      } catch (error) {
        if (signal.aborted) throw error;
        throw new RtvoiceError(
          'audio_worklet_failed',
          `Cannot load the audio worklet from ${String(options.workletUrl)}: host @rtvoice/client's rtvoice-audio-worklet.js and pass its URL as workletUrl.`,
          { cause: error },
        );
      }
      const capture = new AudioWorkletNode(ctx, 'rtvoice-capture', {
        numberOfInputs: 1,
        numberOfOutputs: 0,
        channelCount: 1,
        channelCountMode: 'explicit',
        processorOptions: { rate: 24000, chunkMs: options.chunkMs },
      });
      const playback = new AudioWorkletNode(ctx, 'rtvoice-playback', {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        processorOptions: { prebufferMs: options.prebufferMs },
      });
      const audio = new WsAudio(ctx, capture, playback);
      capture.port.onmessage = (e: MessageEvent<Float32Array>) => options.onChunk(e.data);
      playback.port.onmessage = (e: MessageEvent<PlaybackMessage>) => options.onPlayback(e.data);
      const destination = ctx.createMediaStreamDestination();
      playback.connect(destination);
      audio.stream = destination.stream;
      if (options.echoLoopback) {
        const looped = await echoCancellableTrack(destination.stream.getAudioTracks()[0]!, signal).catch((error: unknown) => {
          if (signal.aborted) throw error;
          return undefined; // No local WebRTC: play directly (the browser may still cancel it).
        });
        if (looped) {
          audio.#closeLoopback = looped.close;
          audio.stream = new MediaStream([looped.track]);
        }
      }
      audio.resume();
      return audio;
    } catch (error) {
      void ctx.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Starts the context if the autoplay policy held it. Without a user gesture
   * on the page that fails; the next click or key press then starts it (the
   * session's `resumeAudio()` does not know this context). Never rejects.
   */
  resume(): void {
    const ctx = this.#ctx;
    if (ctx.state !== 'suspended') return;
    void ctx.resume().catch(() => undefined);
    if (this.#unlock || typeof addEventListener === 'undefined') return;
    const unlock = (): void => {
      if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
      else this.#stopUnlock();
    };
    this.#unlock = unlock;
    for (const type of GESTURES) addEventListener(type, unlock, { capture: true });
  }

  #unlock: (() => void) | undefined;

  #stopUnlock(): void {
    if (!this.#unlock) return;
    for (const type of GESTURES) removeEventListener(type, this.#unlock, { capture: true });
    this.#unlock = undefined;
  }

  /** Captures `track` from now on (`null`: capture nothing). */
  setMic(track: MediaStreamTrack | null): void {
    if (track === this.#track) return;
    this.#track = track;
    this.#source?.disconnect();
    this.#source = track ? this.#ctx.createMediaStreamSource(new MediaStream([track])) : undefined;
    this.#source?.connect(this.#capture);
    this.resume();
  }

  /** Sets the rate input chunks are resampled to. */
  setInputRate(rate: number): void {
    this.#capture.port.postMessage({ rate });
  }

  /** Queues model audio of `item` for playback. */
  push(item: string, samples: Float32Array, rate: number): void {
    this.#playback.port.postMessage({ t: 'push', item, data: samples, rate }, [samples.buffer]);
  }

  /** No more audio is coming for now: play what is queued even below the jitter buffer. */
  end(): void {
    this.#playback.port.postMessage({ t: 'end' });
  }

  /** Drops everything queued at once; the worklet answers with a `cleared` message carrying `id`. */
  clear(id: number): void {
    this.#playback.port.postMessage({ t: 'clear', id });
  }

  /**
   * Releases the context, the nodes, the loopback, the gesture listeners.
   * Idempotent. The context closes a moment later: once both processors have
   * stopped (Chromium keeps a worklet node and its context alive, closed or
   * not, while its processor's `process()` last returned true), or after 250 ms.
   * Resolves once the context is closed.
   */
  close(): Promise<void> {
    return (this.#closed ??= new Promise<void>((resolve) => this.#close(resolve)));
  }

  #close(done: () => void): void {
    this.#stopUnlock();
    this.#source?.disconnect();
    this.#source = undefined;
    this.#closeLoopback?.();
    this.#closeLoopback = undefined;
    for (const t of this.stream.getTracks()) t.stop();
    const ctx = this.#ctx;
    const nodes = [this.#capture, this.#playback];
    let running = nodes.length;
    const finish = () => {
      clearTimeout(timer);
      for (const node of nodes) {
        node.port.onmessage = null;
        node.port.close();
        node.disconnect();
      }
      if (ctx.state === 'closed') done();
      else void ctx.close().catch(() => undefined).then(done);
    };
    // A context that is not running calls no process(): nothing to wait for.
    const timer = ctx.state === 'running' ? setTimeout(finish, 250) : undefined;
    if (timer === undefined) return finish();
    for (const node of nodes) {
      node.port.onmessage = (e: MessageEvent<{ t?: string }>) => e.data?.t === 'stopped' && --running === 0 && finish();
      node.port.postMessage({ t: 'stop' });
    }
  }
}
