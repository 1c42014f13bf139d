/** Samples per 10 ms frame at 48 kHz: what the wrtc `RTCAudioSource` takes. */
export const OUTPUT_FRAME_SAMPLES = 480;
/** Output sample rate. */
export const OUTPUT_SAMPLE_RATE = 48_000;
/** Duration of one output frame. */
export const OUTPUT_FRAME_MS = 10;

/** Callbacks fired as a segment is played out (from inside {@link OutputAudioQueue.nextFrame}). */
export interface SegmentHandlers {
  /** The first frame of the segment left the queue. */
  onStart?: () => void;
  /** The last frame of a finished segment left the queue. */
  onEnd?: (playedMs: number) => void;
}

/** A segment removed by {@link OutputAudioQueue.clear}. */
export interface ClearedSegment {
  id: string;
  /** Audio of this segment already played when it was cleared. */
  playedMs: number;
  /** True when at least one frame had been played. */
  started: boolean;
}

interface Segment {
  id: string;
  data: Int16Array;
  length: number;
  position: number;
  finished: boolean;
  started: boolean;
  handlers: SegmentHandlers;
}

/**
 * The output audio buffer of one session (the WebRTC "output_audio_buffer").
 * Segments of 48 kHz mono s16 are played in order. A segment may be streamed
 * ({@link append} while generating, then {@link finish}). The audio clock
 * pulls one 10 ms frame at a time and gets silence when nothing is ready, so
 * the track keeps flowing. A frame counts as played when it is pulled.
 *
 * Pure: no timers, no I/O.
 */
export class OutputAudioQueue {
  #segments: Segment[] = [];
  readonly #silence = new Int16Array(OUTPUT_FRAME_SAMPLES);
  /** Reused for every speech frame: consumers copy it synchronously (wrtc `onData` does). */
  readonly #frame = new Int16Array(OUTPUT_FRAME_SAMPLES);
  #muted = false;
  #underruns = 0;

  /** Opens a segment (usually keyed by the assistant item id) with optional first audio. */
  enqueue(id: string, samples: Int16Array = new Int16Array(0), handlers: SegmentHandlers = {}): void {
    const data = new Int16Array(Math.max(samples.length, OUTPUT_FRAME_SAMPLES * 10));
    data.set(samples);
    this.#segments.push({ id, data, length: samples.length, position: 0, finished: false, started: false, handlers });
  }

  /** Appends audio to an open segment. Ignored when the segment is gone (cleared). */
  append(id: string, samples: Int16Array): void {
    const seg = this.#segments.find((s) => s.id === id);
    if (!seg || seg.finished) return;
    if (seg.length + samples.length > seg.data.length) {
      const next = new Int16Array(Math.max(seg.length + samples.length, seg.data.length * 2));
      next.set(seg.data.subarray(0, seg.length));
      seg.data = next;
    }
    seg.data.set(samples, seg.length);
    seg.length += samples.length;
  }

  /** Marks a segment complete: once drained it ends and the next one starts. */
  finish(id: string): void {
    const seg = this.#segments.find((s) => s.id === id);
    if (seg) seg.finished = true;
  }

  /** True when no segment is queued or playing. */
  get idle(): boolean {
    return this.#segments.length === 0;
  }

  /** Id of the segment currently playing (or next to play). */
  get currentId(): string | undefined {
    return this.#segments[0]?.id;
  }

  /** Times an open segment had no audio ready when a frame was due. */
  get underruns(): number {
    return this.#underruns;
  }

  /** True when segment `id` is queued or playing. */
  has(id: string): boolean {
    return this.#segments.some((s) => s.id === id);
  }

  /** Milliseconds of segment `id` played so far (0 when unknown). */
  playedMs(id: string): number {
    const seg = this.#segments.find((s) => s.id === id);
    return seg ? samplesToMs(seg.position) : 0;
  }

  /**
   * When muted, {@link nextFrame} returns `null` and nothing advances
   * (fault injection: "stop sending audio").
   */
  set muted(value: boolean) {
    this.#muted = value;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /**
   * The next 10 ms frame: speech when a segment has audio ready, otherwise
   * silence. Fires segment callbacks synchronously. Returns `null` while muted.
   * The returned array is reused by the next call: copy it to keep it.
   */
  nextFrame(): Int16Array | null {
    if (this.#muted) return null;
    let seg = this.#segments[0];
    // A segment finished with nothing (left) to play ends without starting.
    while (seg && seg.finished && seg.position >= seg.length) {
      this.#segments.shift();
      seg.handlers.onEnd?.(samplesToMs(seg.length));
      seg = this.#segments[0];
    }
    if (!seg) return this.#silence;
    const available = seg.length - seg.position;
    if (available < OUTPUT_FRAME_SAMPLES && !seg.finished) {
      this.#underruns += 1;
      return this.#silence;
    }
    if (!seg.started) {
      seg.started = true;
      seg.handlers.onStart?.();
    }
    const frame = this.#frame;
    const end = Math.min(seg.length, seg.position + OUTPUT_FRAME_SAMPLES);
    frame.set(seg.data.subarray(seg.position, end));
    if (end - seg.position < OUTPUT_FRAME_SAMPLES) frame.fill(0, end - seg.position);
    seg.position = end;
    if (seg.finished && seg.position >= seg.length) {
      this.#segments.shift();
      seg.handlers.onEnd?.(samplesToMs(seg.length));
    }
    return frame;
  }

  /**
   * Drops queued audio. With an `id`, only that segment; otherwise everything.
   * Does not fire `onEnd`.
   */
  clear(id?: string): ClearedSegment[] {
    const removed = id === undefined ? this.#segments : this.#segments.filter((s) => s.id === id);
    this.#segments = id === undefined ? [] : this.#segments.filter((s) => s.id !== id);
    return removed.map((s) => ({ id: s.id, playedMs: samplesToMs(s.position), started: s.started }));
  }
}

function samplesToMs(samples: number): number {
  return Math.round((samples * 1000) / OUTPUT_SAMPLE_RATE);
}
