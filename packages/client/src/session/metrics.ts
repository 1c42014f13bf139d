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

/** The connect metrics of a connection that just became live, `started` being when its `connect()` (or reconnection attempt) began. */
export function connectMetrics(
  live: { transport?: unknown; openedAt?: number | undefined },
  started: number,
  m: Pick<ConnectMetrics, 'prepared' | 'reconnect' | 'tokenMs' | 'micMs'>,
): ConnectMetrics {
  // A prepared connection's offer and SDP round trip happened before connect().
  const timings = m.prepared === 'connection' ? undefined : (live.transport as { timings?: { offerMs: number; sdpMs: number } } | undefined)?.timings;
  return {
    kind: 'connect',
    ...m,
    offerMs: timings?.offerMs ?? 0,
    sdpMs: timings?.sdpMs ?? 0,
    dataChannelOpenMs: Math.max(0, Math.round((live.openedAt ?? started) - started)),
    totalMs: Math.round(performance.now() - started),
  };
}

/** Payload of `metrics` for one turn. */
export interface TurnMetrics {
  kind: 'turn';
  /** The user item the turn answers. */
  itemId: string;
  /** The response that answered. */
  responseId: string | undefined;
  /**
   * User speech stopped (the server's VAD event reaching the page) → the first
   * assistant audio reaching the page (`output_audio_buffer.started`; over
   * WebRTC the first audio packets arrive with it, and the browser's jitter
   * buffer plays them a few tens of ms later).
   */
  speechToAudioMs: number | undefined;
  /** User speech stopped → first assistant transcript delta. */
  speechToTranscriptMs: number | undefined;
}

/** Every measurement so far: the last connection and the last turns (up to 50). */
export interface SessionMetrics {
  connect: ConnectMetrics | undefined;
  turns: TurnMetrics[];
}

/**
 * Measures each turn from the moment the server's VAD says the user stopped,
 * to the first assistant audio and the first transcript delta of the response
 * that answers. Reported when the response is done.
 */
export class TurnMeter {
  #turn: { m: TurnMetrics; at: number } | undefined;

  constructor(signals: Signals, emit: (m: TurnMetrics) => void) {
    const since = (t: { at: number }) => Math.round(performance.now() - t.at);
    signals.on('speechStopped', ({ itemId }) => {
      this.#turn = { m: { kind: 'turn', itemId, responseId: undefined, speechToAudioMs: undefined, speechToTranscriptMs: undefined }, at: performance.now() };
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
      if (state === 'started' && t?.m.responseId) t.m.speechToAudioMs ??= since(t);
    });
    signals.on('responseDone', ({ responseId }) => {
      const t = this.#turn;
      if (t?.m.responseId !== responseId) return;
      this.#turn = undefined;
      emit(t.m);
    });
  }

  /** Stops measuring (session ended). */
  stop(): void {
    this.#turn = undefined;
  }
}
