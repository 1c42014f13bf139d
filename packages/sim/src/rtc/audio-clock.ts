import { OUTPUT_FRAME_MS } from '../audio/output-queue.js';

/** One output driven by the clock. */
export interface ClockedOutput {
  /** The next frame, or null to send nothing for this slot. */
  pull(): Int16Array | null;
  /** Delivers a frame to the track. */
  push(frame: Int16Array): void;
}

/** Frame-timing statistics of the clock's own send schedule. */
export interface ClockStats {
  /** Frames delivered (slots where an output sent nothing are not counted). */
  frames: number;
  /** Frames delivered more than `lateThresholdMs` after their due time. */
  lateFrames: number;
  /** Worst lateness seen. */
  maxLatenessMs: number;
  /** 99th percentile of lateness (1 ms resolution). */
  p99LatenessMs: number;
  /** Threshold used for `lateFrames`. */
  lateThresholdMs: number;
  /** Outputs currently driven. */
  outputs: number;
}

interface Entry {
  out: ClockedOutput;
  start: number;
  sent: number;
}

/**
 * Drives every session's outgoing audio from one timer: each output gets
 * exactly one 10 ms frame per 10 ms of elapsed time since it was added,
 * computed from `performance.now()` so the schedule never drifts. The timer
 * runs only while at least one output is registered.
 */
export class AudioClock {
  readonly #entries = new Set<Entry>();
  readonly #tickMs: number;
  readonly #lateThresholdMs: number;
  readonly #histogram = new Uint32Array(1001);
  #timer: ReturnType<typeof setInterval> | undefined;
  #frames = 0;
  #late = 0;
  #max = 0;

  /**
   * @param tickMs - Timer period (default 5 ms: frames leave at most ~5 ms after they are due).
   * @param lateThresholdMs - Lateness above which a frame counts as late (default 20 ms).
   */
  constructor(tickMs = 5, lateThresholdMs = 20) {
    this.#tickMs = tickMs;
    this.#lateThresholdMs = lateThresholdMs;
  }

  /** Starts driving an output; returns the function that stops it. */
  add(out: ClockedOutput): () => void {
    const entry: Entry = { out, start: performance.now(), sent: 0 };
    this.#entries.add(entry);
    this.#timer ??= setInterval(() => this.#tick(), this.#tickMs);
    return () => {
      this.#entries.delete(entry);
      if (this.#entries.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  /** Current statistics. */
  stats(): ClockStats {
    return {
      frames: this.#frames,
      lateFrames: this.#late,
      maxLatenessMs: Math.round(this.#max * 10) / 10,
      p99LatenessMs: this.#percentile(0.99),
      lateThresholdMs: this.#lateThresholdMs,
      outputs: this.#entries.size,
    };
  }

  /** Clears the statistics (not the outputs). */
  resetStats(): void {
    this.#frames = 0;
    this.#late = 0;
    this.#max = 0;
    this.#histogram.fill(0);
  }

  /** Stops the timer and forgets every output. */
  close(): void {
    this.#entries.clear();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const now = performance.now();
    for (const entry of this.#entries) {
      let due = entry.start + entry.sent * OUTPUT_FRAME_MS;
      // More than a second behind (process stalled): resynchronise instead of bursting.
      if (now - due > 1000) {
        const skipped = Math.floor((now - due) / OUTPUT_FRAME_MS);
        entry.sent += skipped;
        this.#late += skipped;
        due = entry.start + entry.sent * OUTPUT_FRAME_MS;
      }
      while (due <= now) {
        const frame = entry.out.pull();
        if (frame) {
          entry.out.push(frame);
          this.#record(now - due);
        }
        entry.sent += 1;
        due += OUTPUT_FRAME_MS;
      }
    }
  }

  #record(lateness: number): void {
    this.#frames += 1;
    if (lateness > this.#lateThresholdMs) this.#late += 1;
    if (lateness > this.#max) this.#max = lateness;
    this.#histogram[Math.min(1000, Math.floor(lateness))]! += 1;
  }

  #percentile(p: number): number {
    if (this.#frames === 0) return 0;
    const target = this.#frames * p;
    let acc = 0;
    for (let i = 0; i < this.#histogram.length; i++) {
      acc += this.#histogram[i] ?? 0;
      if (acc >= target) return i;
    }
    return 1000;
  }
}
