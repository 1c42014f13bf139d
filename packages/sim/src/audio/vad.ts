import { rms, thresholdToDbfs, toDbfs } from './level.js';

/** The `server_vad` knobs the energy VAD honours. */
export interface VadConfig {
  /** 0..1; mapped to dBFS by {@link thresholdToDbfs}. */
  threshold: number;
  /** Audio kept before the detected onset, reported in `audio_start_ms`. */
  prefixPaddingMs: number;
  /** Silence needed after speech before `speech_stopped`. */
  silenceDurationMs: number;
}

/** What the VAD reports; times are on the session's input-audio timeline. */
export type VadEvent =
  | {
      type: 'speech_started';
      /** Onset minus `prefixPaddingMs`, never before the buffer floor. */
      audioStartMs: number;
      /** Start of the first loud analysis window. */
      onsetMs: number;
    }
  | {
      type: 'speech_stopped';
      /** Position when the silence run reached `silenceDurationMs`. */
      audioEndMs: number;
      /** End of the last loud analysis window. */
      speechEndMs: number;
    };

/** Tuning that is not part of the Realtime API's configuration. */
export interface VadTuning {
  /** Input sample rate (the wrtc sink delivers 16 kHz). */
  sampleRate?: number;
  /** Analysis window length. */
  windowMs?: number;
  /** Consecutive loud time needed to declare an onset (ignores clicks). */
  minSpeechMs?: number;
  /** While speaking, the level may drop this many dB below the threshold and still count as speech. */
  hysteresisDb?: number;
}

/**
 * A pure energy voice-activity detector: feed it PCM frames, get events.
 *
 * It measures the RMS level of 10 ms windows. Speech starts when
 * `minSpeechMs` of consecutive windows are at or above the threshold level
 * ({@link thresholdToDbfs}); it stops when the level has stayed below
 * `threshold − hysteresisDb` for `silenceDurationMs`. Time is counted in
 * samples received, never in wall-clock time.
 */
export class EnergyVad {
  #config: VadConfig;
  readonly #sampleRate: number;
  readonly #windowSamples: number;
  readonly #windowMs: number;
  readonly #minSpeechWindows: number;
  readonly #hysteresisDb: number;
  #pending: Int16Array;
  #pendingLength = 0;
  #samples = 0;
  #floorMs = 0;
  #speaking = false;
  #loudRun = 0;
  #loudRunStartMs = 0;
  #silenceMs = 0;
  #lastLoudEndMs = 0;

  /**
   * @param config - Threshold and durations, as in `server_vad`.
   * @param tuning - Implementation knobs (defaults: 16 kHz, 10 ms, 30 ms, 6 dB).
   */
  constructor(config: VadConfig, tuning: VadTuning = {}) {
    this.#config = { ...config };
    this.#sampleRate = tuning.sampleRate ?? 16_000;
    this.#windowMs = tuning.windowMs ?? 10;
    this.#windowSamples = Math.round((this.#sampleRate * this.#windowMs) / 1000);
    this.#minSpeechWindows = Math.max(1, Math.round((tuning.minSpeechMs ?? 30) / this.#windowMs));
    this.#hysteresisDb = tuning.hysteresisDb ?? 6;
    this.#pending = new Int16Array(this.#windowSamples);
  }

  /** Milliseconds of audio processed so far. */
  get positionMs(): number {
    return Math.round((this.#samples * 1000) / this.#sampleRate);
  }

  /** True between `speech_started` and `speech_stopped`. */
  get speaking(): boolean {
    return this.#speaking;
  }

  /** Replaces the configuration; takes effect from the next window. */
  configure(config: VadConfig): void {
    this.#config = { ...config };
  }

  /**
   * Forgets any speech in progress and makes `positionMs` the earliest value
   * a later `audioStartMs` may report (after a commit or clear of the buffer).
   */
  reset(): void {
    this.#speaking = false;
    this.#loudRun = 0;
    this.#silenceMs = 0;
    this.#floorMs = this.positionMs;
  }

  /** Processes one frame of any length and returns the events it caused, in order. */
  process(frame: Int16Array): VadEvent[] {
    const events: VadEvent[] = [];
    let offset = 0;
    while (offset < frame.length) {
      const take = Math.min(this.#windowSamples - this.#pendingLength, frame.length - offset);
      this.#pending.set(frame.subarray(offset, offset + take), this.#pendingLength);
      this.#pendingLength += take;
      offset += take;
      if (this.#pendingLength === this.#windowSamples) {
        this.#window(this.#pending, events);
        this.#pendingLength = 0;
      }
    }
    return events;
  }

  #window(window: Int16Array, events: VadEvent[]): void {
    const startMs = (this.#samples * 1000) / this.#sampleRate;
    this.#samples += window.length;
    const endMs = (this.#samples * 1000) / this.#sampleRate;
    const level = toDbfs(rms(window));
    const onLevel = thresholdToDbfs(this.#config.threshold);
    if (!this.#speaking) {
      if (level >= onLevel) {
        if (this.#loudRun === 0) this.#loudRunStartMs = startMs;
        this.#loudRun += 1;
        if (this.#loudRun >= this.#minSpeechWindows) {
          this.#speaking = true;
          this.#silenceMs = 0;
          this.#lastLoudEndMs = endMs;
          const onsetMs = Math.round(this.#loudRunStartMs);
          events.push({
            type: 'speech_started',
            onsetMs,
            audioStartMs: Math.max(this.#floorMs, onsetMs - this.#config.prefixPaddingMs),
          });
        }
      } else {
        this.#loudRun = 0;
      }
      return;
    }
    if (level >= onLevel - this.#hysteresisDb) {
      this.#silenceMs = 0;
      this.#lastLoudEndMs = endMs;
      return;
    }
    this.#silenceMs += this.#windowMs;
    if (this.#silenceMs >= this.#config.silenceDurationMs) {
      this.#speaking = false;
      this.#loudRun = 0;
      this.#silenceMs = 0;
      events.push({
        type: 'speech_stopped',
        audioEndMs: Math.round(endMs),
        speechEndMs: Math.round(this.#lastLoudEndMs),
      });
    }
  }
}
