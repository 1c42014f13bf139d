import type { Signals } from './signals.js';

/** Payload of `metrics` for a connection: where the time went, in ms from `connect()` (or from the reconnection's start). */
export interface ConnectMetrics {
  kind: 'connect';
  /** `none`, `local` (after `prepare()`), or `connection` (after `prepare({ connect: true })`). */
  prepared: 'none' | 'local' | 'connection';
  /** True for an automatic reconnection. */
  reconnect: boolean;
  /** Token fetch done (0 when a prepared, still valid token was used). Runs in parallel with the microphone. */
  tokenMs: number;
  /** `getUserMedia` done (in parallel with the token). */
  micMs: number;
  /** Peer connection and SDP offer created (0 when prepared). */
  offerMs: number;
  /** The SDP POST's round trip alone. */
  sdpMs: number;
  /** Data channel open: offer, SDP POST, ICE, DTLS, SCTP. */
  dataChannelOpenMs: number;
  /** The server's `session.created`: the moment the session is `connected`. */
  totalMs: number;
}

/** Payload of `metrics` for one turn. */
export interface TurnMetrics {
  kind: 'turn';
  /** The user item the turn answers (`undefined` for a typed or requested turn). */
  itemId: string | undefined;
  /** The response that answered. */
  responseId: string | undefined;
  /** User speech stopped (the server's VAD event reaching the page) → first assistant audio playing at the page. */
  speechToAudioMs: number | undefined;
  /** User speech stopped → the server says it started streaming audio (`output_audio_buffer.started`). */
  speechToServerAudioMs: number | undefined;
  /** User speech stopped → first assistant transcript delta. */
  speechToTranscriptMs: number | undefined;
}

/** Every measurement so far: the last connection and the last turns (up to 50). */
export interface SessionMetrics {
  connect: ConnectMetrics | undefined;
  turns: TurnMetrics[];
}

/**
 * Measures each turn from the moment the server's VAD says the user stopped:
 * to the first assistant audio actually playing at the page (polled from the
 * receiver's audio level), to the server's `output_audio_buffer.started`, and
 * to the first transcript delta.
 */
export class TurnMeter {
  #turn: { itemId: string | undefined; responseId?: string; at: number; audio?: number; server?: number; text?: number; doneAt?: number } | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  readonly #level: () => number | undefined;
  readonly #emit: (m: TurnMetrics) => void;

  constructor(signals: Signals, level: () => number | undefined, emit: (m: TurnMetrics) => void) {
    this.#level = level;
    this.#emit = emit;
    signals.on('speechStopped', ({ itemId }) => this.#start(itemId));
    signals.on('responseCreated', ({ responseId }) => {
      if (this.#turn && !this.#turn.responseId) this.#turn.responseId = responseId;
    });
    signals.on('text', (t) => {
      if (t.role === 'assistant' && this.#turn?.text === undefined && this.#turn?.responseId !== undefined) this.#turn.text = performance.now();
      this.#check();
    });
    signals.on('audio', ({ state }) => {
      if (state === 'started' && this.#turn?.responseId !== undefined && this.#turn.server === undefined) this.#turn.server = performance.now();
      this.#check();
    });
    signals.on('responseDone', ({ responseId }) => {
      const turn = this.#turn;
      if (turn?.responseId !== responseId) return;
      // Without audio from the server there is nothing more to wait for; with it, the page may play it a little later.
      if (turn.server === undefined) this.#check(true);
      else turn.doneAt ??= performance.now();
    });
  }

  /** Stops measuring (session ended). */
  stop(): void {
    clearInterval(this.#poll);
    this.#turn = undefined;
  }

  #start(itemId: string): void {
    this.stop();
    this.#turn = { itemId, at: performance.now() };
    // The receiver's level says when sound actually plays; a 10 ms poll costs nothing measurable.
    this.#poll = setInterval(() => {
      const turn = this.#turn;
      if (!turn) return;
      const level = this.#level();
      if (turn.responseId !== undefined && level !== undefined && level > 0.01) {
        turn.audio = performance.now();
        this.#check();
      } else if (performance.now() - (turn.doneAt ?? turn.at - 17_000) > 3_000) this.#check(true);
    }, 10);
  }

  #check(final = false): void {
    const t = this.#turn;
    if (!t) return;
    const levelKnown = this.#level() !== undefined;
    const done = t.server !== undefined && t.text !== undefined && (t.audio !== undefined || !levelKnown);
    if (!done && !final) return;
    this.stop();
    const ms = (v: number | undefined) => (v === undefined ? undefined : Math.round(v - t.at));
    this.#emit({ kind: 'turn', itemId: t.itemId, responseId: t.responseId, speechToAudioMs: ms(t.audio), speechToServerAudioMs: ms(t.server), speechToTranscriptMs: ms(t.text) });
  }
}
