import { InputAudioBuffer } from '../audio/input-buffer.js';
import { EnergyVad, type VadConfig } from '../audio/vad.js';
import { newItemId } from '../protocol/ids.js';
import type { TurnDetection } from '../protocol/session-config.js';

/** A span of committed user audio. */
export interface CommittedAudio {
  itemId: string;
  startMs: number;
  endMs: number;
  /** 16 kHz mono s16, from `startMs` to `endMs`. */
  audio: Int16Array;
  /** Onset to last loud window (0 for a manual commit of silence). */
  voicedMs: number;
  /** Silence at the end of `audio` (the VAD's silence run). */
  trailingSilenceMs: number;
}

/** Callbacks of the turn detector. */
export interface TurnHandlers {
  speechStarted(event: { audioStartMs: number; itemId: string }): void;
  speechStopped(event: { audioEndMs: number; itemId: string }, committed: CommittedAudio): void;
  idleTimeout(event: { audioStartMs: number; audioEndMs: number; itemId: string }, committed: CommittedAudio): void;
}

/**
 * How `semantic_vad` is approximated: there is no language model to judge
 * whether the user finished a thought, so it is the energy VAD with a
 * silence duration chosen by `eagerness` (high 300 ms, medium/auto 600 ms,
 * low 1000 ms), threshold 0.5 and 300 ms prefix padding.
 */
export const SEMANTIC_SILENCE_MS: Record<'low' | 'medium' | 'high' | 'auto', number> = {
  high: 300,
  medium: 600,
  auto: 600,
  low: 1000,
};

/** The VAD settings a turn-detection config maps to (null for push-to-talk). */
export function vadConfigFor(td: TurnDetection): VadConfig | null {
  if (td === null) return null;
  if (td.type === 'server_vad') {
    return { threshold: td.threshold, prefixPaddingMs: td.prefix_padding_ms, silenceDurationMs: td.silence_duration_ms };
  }
  return { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: SEMANTIC_SILENCE_MS[td.eagerness] };
}

/**
 * Turns the input audio of one session into turns, as configured by
 * `audio.input.turn_detection`: VAD events and commits for `server_vad` and
 * `semantic_vad`, a plain growing buffer for push-to-talk (`null`), and the
 * `idle_timeout_ms` of `server_vad`. All times are on the input-audio
 * timeline (samples received), not the wall clock.
 */
export class TurnDetector {
  readonly #buffer = new InputAudioBuffer(16_000);
  readonly #vad: EnergyVad;
  readonly #handlers: TurnHandlers;
  #config: TurnDetection;
  #vadConfig: VadConfig | null;
  #floorMs = 0;
  #speech: { itemId: string; audioStartMs: number; onsetMs: number } | undefined;
  #idleFromMs: number | undefined;

  constructor(config: TurnDetection, handlers: TurnHandlers) {
    this.#config = config;
    this.#handlers = handlers;
    this.#vadConfig = vadConfigFor(config);
    this.#vad = new EnergyVad(this.#vadConfig ?? { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 });
  }

  /** Milliseconds of input audio received so far. */
  get positionMs(): number {
    return this.#buffer.endMs;
  }

  /** Milliseconds in the input buffer since the last commit or clear. */
  get bufferedMs(): number {
    return this.#buffer.endMs - this.#floorMs;
  }

  /** True while the VAD hears speech. */
  get speaking(): boolean {
    return this.#speech !== undefined;
  }

  /** Applies a new `turn_detection` (speech in progress is dropped when VAD turns off). */
  configure(config: TurnDetection): void {
    this.#config = config;
    this.#vadConfig = vadConfigFor(config);
    if (this.#vadConfig) this.#vad.configure(this.#vadConfig);
    else this.#speech = undefined;
    if (config?.type !== 'server_vad' || config.idle_timeout_ms === null) this.#idleFromMs = undefined;
  }

  /** Feeds 16 kHz mono input audio. */
  push(frame: Int16Array): void {
    this.#buffer.append(frame);
    if (!this.#vadConfig) return;
    for (const event of this.#vad.process(frame)) {
      if (event.type === 'speech_started') {
        const itemId = newItemId();
        this.#idleFromMs = undefined;
        this.#speech = { itemId, audioStartMs: Math.max(this.#floorMs, event.audioStartMs), onsetMs: event.onsetMs };
        this.#handlers.speechStarted({ audioStartMs: this.#speech.audioStartMs, itemId });
      } else if (this.#speech) {
        const { itemId, audioStartMs, onsetMs } = this.#speech;
        this.#speech = undefined;
        const committed = this.#take(itemId, audioStartMs, event.audioEndMs);
        committed.voicedMs = Math.max(0, event.speechEndMs - onsetMs);
        committed.trailingSilenceMs = Math.max(0, event.audioEndMs - event.speechEndMs);
        this.#handlers.speechStopped({ audioEndMs: event.audioEndMs, itemId }, committed);
      }
    }
    this.#checkIdle();
    if (!this.#speech) {
      const keep = (this.#vadConfig?.prefixPaddingMs ?? 0) + 500;
      this.#buffer.dropBefore(Math.max(this.#floorMs, this.#buffer.endMs - keep));
    }
  }

  /**
   * Commits everything buffered since the last commit or clear (the client's
   * `input_audio_buffer.commit`). Speech in progress is cut off.
   */
  commit(): CommittedAudio {
    const itemId = this.#speech?.itemId ?? newItemId();
    const startMs = this.#speech?.audioStartMs ?? this.#floorMs;
    this.#speech = undefined;
    const committed = this.#take(itemId, startMs, this.#buffer.endMs);
    committed.voicedMs = committed.endMs - committed.startMs;
    return committed;
  }

  /** Empties the input buffer (`input_audio_buffer.clear`). */
  clear(): void {
    this.#speech = undefined;
    this.#floorMs = this.#buffer.endMs;
    this.#buffer.dropBefore(this.#floorMs);
    this.#vad.reset();
  }

  /**
   * Starts the `idle_timeout_ms` countdown (server_vad only): called when the
   * assistant's audio finished playing.
   */
  armIdleTimeout(): void {
    if (this.#config?.type === 'server_vad' && this.#config.idle_timeout_ms !== null && !this.#speech) {
      this.#idleFromMs = this.#buffer.endMs;
    }
  }

  /** Stops the idle countdown (a response started, the user spoke). */
  disarmIdleTimeout(): void {
    this.#idleFromMs = undefined;
  }

  #checkIdle(): void {
    const cfg = this.#config;
    if (this.#idleFromMs === undefined || this.#speech || cfg?.type !== 'server_vad' || cfg.idle_timeout_ms === null) return;
    if (this.#buffer.endMs - this.#idleFromMs < cfg.idle_timeout_ms) return;
    const startMs = Math.max(this.#floorMs, this.#idleFromMs);
    this.#idleFromMs = undefined;
    const itemId = newItemId();
    const committed = this.#take(itemId, startMs, this.#buffer.endMs);
    this.#handlers.idleTimeout({ audioStartMs: committed.startMs, audioEndMs: committed.endMs, itemId }, committed);
  }

  #take(itemId: string, startMs: number, endMs: number): CommittedAudio {
    const audio = this.#buffer.slice(startMs, endMs);
    this.#floorMs = endMs;
    this.#buffer.dropBefore(endMs);
    this.#vad.reset();
    return { itemId, startMs, endMs, audio, voicedMs: 0, trailingSilenceMs: 0 };
  }
}
