/**
 * The messages between the sim and an rtc host, a child process that runs the native WebRTC
 * stack of up to `callsPerHost` calls (see `rtc-host.ts`, `host-pool.ts`). Sent over Node's IPC
 * channel with the `advanced` serialization, so audio crosses as `Int16Array`. `id` names the
 * call within its host.
 */
import type { LogFields } from '../logger.js';

/** What the host needs to answer a browser's offer. */
export interface HostAnswerRequest {
  t: 'answer';
  id: number;
  offerSdp: string;
  iceAddress: string;
  connectTimeoutMs?: number;
  disconnectGraceMs?: number;
  /** `rtc=crash_after:<ms>`: the host dies of SIGSEGV this long after this call's data channel opened. */
  crashAfterMs?: number;
}

/** Sim → host. */
export type ToHost =
  | HostAnswerRequest
  /** 10 ms output frames (48 kHz mono) due now, one per call: see {@link AudioBatch}. */
  | ({ t: 'frames' } & AudioBatch)
  /** A text frame for `oai-events`. */
  | { t: 'send'; id: number; text: string }
  /** Close the data channel only (fault injection). */
  | { t: 'close_channel'; id: number }
  /** Release the call. */
  | { t: 'close'; id: number }
  /** Release everything and exit. */
  | { t: 'exit' };

/** Host → sim. */
export type FromHost =
  /** The native binding is loaded: the host can answer at once. */
  | { t: 'ready' }
  /** The native binding could not be loaded; the host exits. */
  | { t: 'unavailable'; message: string }
  | { t: 'answered'; id: number; sdp: string }
  | { t: 'answer_failed'; id: number; code: string; message: string }
  | { t: 'open'; id: number }
  | { t: 'message'; id: number; text: string }
  /** 16 kHz mono from the browsers' tracks: see {@link AudioBatch}. */
  | ({ t: 'audio' } & AudioBatch)
  | { t: 'gone'; id: number; reason: string }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: LogFields };

/** Audio of several calls in one message: `lengths[i]` samples for call `ids[i]`, back to back in `samples`. */
export interface AudioBatch {
  ids: number[];
  lengths: number[];
  samples: Int16Array;
}

/**
 * Collects frames of several calls and packs them into one {@link AudioBatch} on `flush`
 * (one serialization and one write instead of one per call and frame).
 */
export class AudioBatcher {
  #ids: number[] = [];
  #frames: Int16Array[] = [];

  /** Frames waiting. */
  get size(): number {
    return this.#ids.length;
  }

  add(id: number, frame: Int16Array): void {
    this.#ids.push(id);
    this.#frames.push(frame);
  }

  /** The waiting frames as one batch (undefined when none), and a fresh start. */
  flush(): AudioBatch | undefined {
    if (this.#ids.length === 0) return undefined;
    const lengths = this.#frames.map((f) => f.length);
    const samples = new Int16Array(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const frame of this.#frames) {
      samples.set(frame, at);
      at += frame.length;
    }
    const batch = { ids: this.#ids, lengths, samples };
    this.#ids = [];
    this.#frames = [];
    return batch;
  }
}

/** Calls `each(id, samples)` for every call's part of a batch (views into its buffer). */
export function unpack(batch: AudioBatch, each: (id: number, samples: Int16Array) => void): void {
  let at = 0;
  batch.ids.forEach((id, i) => {
    const length = batch.lengths[i] ?? 0;
    each(id, batch.samples.subarray(at, at + length));
    at += length;
  });
}

/**
 * An audio frame that owns its whole buffer: what {@link unpack} gives is a view into the
 * message's buffer (itself a slice of an 8 KiB slab), which wrtc's `RTCAudioSource.onData`
 * refuses.
 */
export function compact(samples: Int16Array): Int16Array {
  return samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength ? samples : samples.slice();
}
