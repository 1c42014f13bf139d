import { TypedEmitter } from '../emitter.js';
import { RtvoiceError, isRtvoiceError } from '../errors.js';
import type { Transport, TransportConnectParams, TransportEvents, TransportFactory, TransportState } from './transport.js';
import { WebRtcTransport, type WebRtcTimings, type WebRtcTransportOptions } from './webrtc-transport.js';
import { WebSocketTransport, type WebSocketTransportOptions } from './websocket-transport.js';

/** Options of {@link autoTransport}. All optional. */
export interface AutoTransportOptions {
  /** Options of the WebRTC transport tried first. */
  webrtc?: WebRtcTransportOptions;
  /** Options of the WebSocket transport used when WebRTC cannot connect (`workletUrl` belongs here). */
  websocket?: WebSocketTransportOptions;
  /**
   * How long WebRTC may take to open (SDP exchange, ICE, DTLS, data channel)
   * before the WebSocket is tried. Default 5000 ms. Where UDP is blocked, ICE
   * does not fail by itself for many seconds.
   */
  webrtcTimeoutMs?: number;
  /** Called when a connection falls back to the WebSocket, with why WebRTC failed. */
  onFallback?: (reason: RtvoiceError) => void;
}

/** Failures that say the WebRTC path is blocked, not that the request was refused. */
const BLOCKED = new Set(['ice_failed', 'network_error', 'connect_timeout', 'data_channel_closed', 'unsupported_environment']);

/**
 * One connection over WebRTC, or over a WebSocket when WebRTC cannot get
 * through: the peer connection fails, the SDP exchange cannot reach the
 * endpoint, or nothing opens within `webrtcTimeoutMs`. A refusal (`sdp_rejected`:
 * bad key, rate limit) is not retried over the WebSocket. Use
 * {@link autoTransport} to create it.
 */
export class AutoTransport implements Transport {
  #current: Transport;
  readonly #options: AutoTransportOptions;
  readonly #events = new TypedEmitter<TransportEvents>((error) => queueMicrotask(() => { throw error; }));
  readonly #unsubscribe: Array<() => void> = [];
  readonly #onFellBack: () => void;

  /** @param websocketFirst - Skip WebRTC (an earlier connection of the session already fell back). */
  constructor(options: AutoTransportOptions = {}, websocketFirst = false, onFellBack: () => void = () => undefined) {
    this.#options = options;
    this.#onFellBack = onFellBack;
    this.#current = websocketFirst ? new WebSocketTransport(options.websocket) : new WebRtcTransport(options.webrtc);
    this.#adopt(this.#current);
  }

  /** Which transport carries the connection now. */
  get kind(): 'webrtc' | 'websocket' {
    return this.#current instanceof WebSocketTransport ? 'websocket' : 'webrtc';
  }

  get state(): TransportState {
    return this.#current.state;
  }

  get waitingFor(): string | undefined {
    return this.#current.waitingFor;
  }

  /** Timings of the transport that connected. */
  get timings(): WebRtcTimings | undefined {
    return (this.#current as { timings?: WebRtcTimings }).timings;
  }

  on<K extends keyof TransportEvents>(type: K, listener: (...args: TransportEvents[K]) => void): () => void {
    return this.#events.on(type, listener as never);
  }

  prepare(mic: MediaStreamTrack | null, signal: AbortSignal): Promise<void> {
    return this.#current.prepare?.(mic, signal) ?? Promise.resolve();
  }

  async connect(params: TransportConnectParams, signal: AbortSignal): Promise<void> {
    const first = this.#current;
    if (first instanceof WebSocketTransport) return first.connect(params, signal);
    const attempt = new AbortController();
    const abort = () => attempt.abort(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    const timer = setTimeout(
      () => attempt.abort(new RtvoiceError('connect_timeout', 'WebRTC did not connect in time.')),
      this.#options.webrtcTimeoutMs ?? 5000,
    );
    try {
      await first.connect(params, attempt.signal);
      return;
    } catch (error) {
      if (signal.aborted) throw error;
      const timedOut = attempt.signal.aborted;
      const reason = timedOut ? (attempt.signal.reason as RtvoiceError) : error;
      if (!isRtvoiceError(reason) || !BLOCKED.has(reason.code)) throw error;
      first.close();
      this.#options.onFallback?.(reason);
      this.#onFellBack();
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    }
    const ws = new WebSocketTransport(this.#options.websocket);
    this.#adopt(ws);
    await ws.connect(params, signal);
  }

  setMic(track: MediaStreamTrack | null): Promise<void> {
    return this.#current.setMic(track);
  }

  send(data: string): void {
    this.#current.send(data);
  }

  close(): void | Promise<void> {
    return this.#current.close();
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #adopt(transport: Transport): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#current = transport;
    this.#unsubscribe.push(
      transport.on('message', (data) => this.#events.emit('message', data)),
      transport.on('remoteTrack', (track, stream) => this.#events.emit('remoteTrack', track, stream)),
      transport.on('closed', (reason) => this.#events.emit('closed', reason)),
    );
  }
}

/**
 * Creates transports that try WebRTC first and fall back to a WebSocket when
 * the network blocks it (corporate networks often block the UDP WebRTC
 * needs). Once a session fell back, its reconnections go straight to the
 * WebSocket.
 *
 * @example
 * ```ts
 * import { VoiceSession, autoTransport } from '@rtvoice/client';
 * const session = new VoiceSession({
 *   tokenUrl: '/api/realtime-token',
 *   transport: autoTransport({ websocket: { workletUrl: '/rtvoice-audio-worklet.js' } }),
 * });
 * ```
 */
export function autoTransport(options: AutoTransportOptions = {}): TransportFactory {
  let websocketFirst = false;
  return () => new AutoTransport(options, websocketFirst, () => (websocketFirst = true));
}
