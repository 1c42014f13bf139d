/*
 * Web Audio for Node tests of the WebSocket transport: an `AudioContext` and
 * `AudioWorkletNode` that run the real worklet file (worklet/rtvoice-audio-worklet.js)
 * on real audio. The microphone is a @roamhq/wrtc track read through an
 * RTCAudioSink; the playback is rendered every 10 ms into an RTCAudioSource,
 * so the "remote track" is a real track carrying the model's audio. Not part of
 * the package.
 */
import wrtc from '@roamhq/wrtc';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { loadWorklet } from './worklet-scope.js';

const RATE = 48_000;
const FRAME = 480; // 10 ms

/** Counts of what the fake contexts opened and did not close (a leak check). */
export const audioStats = { contexts: 0, open: 0, modulesLoaded: [] as string[] };

class NodeAudioContext {
  readonly sampleRate = RATE;
  state: 'running' | 'closed' = 'running';
  readonly #worklet = loadWorklet(RATE);
  readonly #cleanups: Array<() => void> = [];
  readonly #renderers = new Set<() => void>();
  readonly #timer = setInterval(() => {
    for (const render of this.#renderers) render();
  }, 10);
  readonly audioWorklet = {
    addModule: async (url: string) => {
      audioStats.modulesLoaded.push(url);
      if (!url.endsWith('/rtvoice-audio-worklet.js')) throw new Error(`404 ${url}`);
    },
  };

  constructor() {
    audioStats.contexts += 1;
    audioStats.open += 1;
  }

  /** Used by NodeAudioWorkletNode. */
  createProcessor(name: string, options: { processorOptions?: unknown }) {
    const cls = this.#worklet.processors.get(name);
    if (!cls) throw new Error(`No processor ${name}`);
    const { port1, port2 } = new MessageChannel();
    this.#worklet.setPort(port2);
    const processor = new cls(options);
    this.#cleanups.push(() => {
      port1.close();
      port2.close();
    });
    return { processor, port: port1 };
  }

  createMediaStreamSource(stream: MediaStream) {
    const track = stream.getAudioTracks()[0]!;
    let sink: { stop(): void; ondata: ((data: { samples: Int16Array }) => void) | null } | undefined;
    const source = {
      connect: (node: NodeAudioWorkletNode | FakeAnalyser) => {
        if (!(node instanceof NodeAudioWorkletNode)) return; // an analyser (levels): reads silence here
        const created = new wrtc.nonstandard.RTCAudioSink(track as never) as unknown as NonNullable<typeof sink>;
        sink = created;
        created.ondata = (data) => {
          if (this.state === 'closed') return;
          const f = Float32Array.from(data.samples, (s) => s / 32768);
          node.processor.process([[f]], []);
        };
      },
      disconnect: () => {
        sink?.stop();
        sink = undefined;
      },
    };
    this.#cleanups.push(() => source.disconnect());
    return source;
  }

  createMediaStreamDestination() {
    const source = new wrtc.nonstandard.RTCAudioSource();
    const track = source.createTrack();
    const stream = new wrtc.MediaStream([track]) as unknown as MediaStream;
    this.#cleanups.push(() => track.stop());
    return {
      stream,
      /** Connected nodes render into it every 10 ms. */
      feed: (node: NodeAudioWorkletNode) => {
        const render = () => {
          const out = new Float32Array(FRAME);
          node.processor.process([], [[out]]);
          const samples = Int16Array.from(out, (x) => Math.max(-32768, Math.min(32767, Math.round(x * 32767))));
          source.onData({ samples, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
        };
        this.#renderers.add(render);
        return () => this.#renderers.delete(render);
      },
    };
  }

  createAnalyser(): FakeAnalyser {
    return new FakeAnalyser();
  }

  async resume(): Promise<void> {}

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    audioStats.open -= 1;
    clearInterval(this.#timer);
    this.#renderers.clear();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }
}

/** The session's level meter only: always silence. */
class FakeAnalyser {
  fftSize = 2048;
  smoothingTimeConstant = 0.8;
  getFloatTimeDomainData(target: Float32Array): void {
    target.fill(0);
  }
  getByteFrequencyData(target: Uint8Array): void {
    target.fill(0);
  }
  disconnect(): void {}
}

class NodeAudioWorkletNode {
  readonly processor: { process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean };
  readonly port: MessagePort;
  #stop: (() => void) | undefined;
  constructor(ctx: NodeAudioContext, name: string, options: { processorOptions?: unknown } = {}) {
    const { processor, port } = ctx.createProcessor(name, options);
    this.processor = processor;
    this.port = port;
  }
  connect(destination: { feed(node: NodeAudioWorkletNode): () => void }): void {
    this.#stop = destination.feed(this);
  }
  disconnect(): void {
    this.#stop?.();
  }
}

/** Installs the fakes (and wrtc's MediaStream) as globals. */
export function installNodeAudio(): void {
  const g = globalThis as Record<string, unknown>;
  g.AudioContext = NodeAudioContext;
  g.AudioWorkletNode = NodeAudioWorkletNode;
  g.MediaStream ??= wrtc.MediaStream;
  g.RTCPeerConnection ??= wrtc.RTCPeerConnection;
}
