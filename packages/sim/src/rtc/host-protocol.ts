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
  /** 10 ms output frames (48 kHz mono) due now, one per call in `ids`, back to back in `samples`. */
  | { t: 'frames'; ids: number[]; samples: Int16Array }
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
  /** 16 kHz mono from the browsers' tracks: `lengths[i]` samples for call `ids[i]`, back to back. */
  | { t: 'audio'; ids: number[]; lengths: number[]; samples: Int16Array }
  | { t: 'gone'; id: number; reason: string }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: LogFields };

/**
 * An audio frame that owns its whole buffer. Sending: V8's serializer writes a typed array's
 * whole buffer, so a view into a larger one is copied first. Receiving: the deserialized array
 * is a view into a shared 8 KiB slab, which wrtc's `RTCAudioSource.onData` refuses.
 */
export function compact(samples: Int16Array): Int16Array {
  return samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength ? samples : samples.slice();
}
