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
 * to the first assistant audio actually playing at the page (the receiver's
 * audio level, polled every 10 ms), to the server's `output_audio_buffer.started`,
 * and to the first transcript delta. Reported once all three are known, or 3 s
 * after the response ended (20 s at most).
 */
export class TurnMeter {
  #turn: { m: TurnMetrics; at: number; end: number } | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;

  constructor(signals: Signals, level: () => number | undefined, emit: (m: TurnMetrics) => void) {
    const since = (t: { at: number }) => Math.round(performance.now() - t.at);
    const check = () => {
      const t = this.#turn;
      if (!t) return;
      const m = t.m;
      if ((m.speechToServerAudioMs !== undefined && m.speechToTranscriptMs !== undefined && m.speechToAudioMs !== undefined) || performance.now() > t.end) {
        this.stop();
        emit(m);
      }
    };
    signals.on('speechStopped', ({ itemId }) => {
      this.stop();
      const t: { m: TurnMetrics; at: number; end: number } = (this.#turn = {
        m: { kind: 'turn', itemId, responseId: undefined, speechToAudioMs: undefined, speechToServerAudioMs: undefined, speechToTranscriptMs: undefined },
        at: performance.now(),
        end: performance.now() + 20_000,
      });
      // Sound at the page, from the receiver's level; where the transport cannot tell, the server's word stands.
      this.#poll = setInterval(() => {
        const l = level();
        if (t.m.responseId && t.m.speechToAudioMs === undefined && (l === undefined ? t.m.speechToServerAudioMs !== undefined : l > 0.01)) {
          t.m.speechToAudioMs = l === undefined ? t.m.speechToServerAudioMs : since(t);
        }
        check();
      }, 10);
    });
    signals.on('responseCreated', ({ responseId }) => {
      const m = this.#turn?.m;
      if (m && !m.responseId) m.responseId = responseId;
    });
    signals.on('text', ({ role }) => {
      const t = this.#turn;
      if (role === 'assistant' && t?.m.responseId) t.m.speechToTranscriptMs ??= since(t);
    });
    signals.on('audio', ({ state }) => {
      const t = this.#turn;
      if (state === 'started' && t?.m.responseId) t.m.speechToServerAudioMs ??= since(t);
    });
    signals.on('responseDone', ({ responseId }) => {
      const t = this.#turn;
      if (t?.m.responseId === responseId) t.end = Math.min(t.end, performance.now() + (t.m.speechToServerAudioMs === undefined ? 0 : 3000));
    });
  }

  /** Stops measuring (session ended, or a new turn). */
  stop(): void {
    clearInterval(this.#poll);
    this.#turn = undefined;
  }
}
