import { TypedEmitter } from '../emitter.js';
import { RtvoiceError, toRtvoiceError } from '../errors.js';
import { exchangeSdp } from './sdp-exchange.js';
import type { Transport, TransportConnectParams, TransportEvents, TransportState } from './transport.js';

/** Options of {@link WebRtcTransport}. */
export interface WebRtcTransportOptions {
  /** Passed to `new RTCPeerConnection()`. Default: none (host candidates only, as the Realtime service needs). */
  rtcConfiguration?: RTCConfiguration;
  /** How long a `disconnected` peer connection may stay so before the transport gives up. Default 5000 ms. */
  disconnectGraceMs?: number;
  /** The `fetch` used for the SDP exchange. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/**
 * The WebRTC transport: one `RTCPeerConnection` carrying the microphone up and
 * the model's audio down on one `sendrecv` audio transceiver, and the
 * `oai-events` data channel for JSON events. Signalling is a single HTTP POST
 * of the offer (no trickle ICE); the answer carries the server's candidates.
 */
export class WebRtcTransport implements Transport {
  #state: TransportState = 'idle';
  #pc: RTCPeerConnection | undefined;
  #dc: RTCDataChannel | undefined;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Aborted on close: every DOM listener is registered with its signal. */
  readonly #lifetime = new AbortController();
  readonly #events = new TypedEmitter<TransportEvents>((error) => queueMicrotask(() => { throw error; }));
  readonly #options: WebRtcTransportOptions;
  /** The call id from the answer's `Location` header, once known. */
  callId: string | undefined;

  constructor(options: WebRtcTransportOptions = {}) {
    this.#options = options;
  }

  get state(): TransportState {
    return this.#state;
  }

  on<K extends keyof TransportEvents>(type: K, listener: (...args: TransportEvents[K]) => void): () => void {
    return this.#events.on(type, listener as never);
  }

  async connect(params: TransportConnectParams, signal: AbortSignal): Promise<void> {
    if (this.#state !== 'idle') throw new RtvoiceError('invalid_state', `connect() called on a ${this.#state} transport.`);
    this.#state = 'connecting';
    const onAbort = () => this.close();
    signal.addEventListener('abort', onAbort, { signal: this.#lifetime.signal });
    try {
      if (signal.aborted) throw abortedError();
      if (typeof RTCPeerConnection === 'undefined') {
        throw new RtvoiceError('unsupported_environment', 'This environment has no WebRTC (RTCPeerConnection).');
      }
      const pc = new RTCPeerConnection(this.#options.rtcConfiguration);
      this.#pc = pc;
      // The channel must exist before the offer so the SDP has its m=application section.
      const dc = pc.createDataChannel('oai-events');
      this.#dc = dc;
      const on = { signal: this.#lifetime.signal };
      pc.addEventListener('track', (e) => this.#onTrack(e), on);
      dc.addEventListener('message', (e) => {
        if (typeof e.data === 'string') this.#events.emit('message', e.data);
      }, on);
      pc.addTransceiver(params.mic, { direction: 'sendrecv', streams: [new MediaStream([params.mic])] });

      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      if (signal.aborted) throw abortedError();
      const answer = await exchangeSdp(
        params.callsUrl,
        params.ephemeralKey,
        offer.sdp ?? '',
        signal,
        this.#options.fetch ?? globalThis.fetch.bind(globalThis),
      );
      this.callId = answer.callId;
      if (signal.aborted) throw abortedError();
      try {
        await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      } catch (error) {
        throw new RtvoiceError('sdp_rejected', 'The SDP answer could not be applied.', { cause: error });
      }
      await this.#waitForOpen(pc, dc, signal);
      this.#state = 'open';
      this.#watch(pc, dc);
    } catch (error) {
      this.close();
      throw signal.aborted ? abortedError(error) : toRtvoiceError(error, 'network_error', 'WebRTC negotiation failed.');
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  send(data: string): void {
    if (this.#state !== 'open' || this.#dc?.readyState !== 'open') {
      throw new RtvoiceError('invalid_state', `Cannot send: the transport is ${this.#state}.`);
    }
    this.#dc.send(data);
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#lifetime.abort();
    clearTimeout(this.#graceTimer);
    try {
      this.#dc?.close();
    } finally {
      this.#pc?.close();
      this.#dc = undefined;
      this.#pc = undefined;
    }
  }

  #onTrack(e: RTCTrackEvent): void {
    if (e.track.kind !== 'audio') return;
    this.#events.emit('remoteTrack', e.track, e.streams[0] ?? new MediaStream([e.track]));
  }

  /** Resolves when the data channel opens; rejects if ICE fails, the channel closes, or `signal` aborts. */
  #waitForOpen(pc: RTCPeerConnection, dc: RTCDataChannel, signal: AbortSignal): Promise<void> {
    if (dc.readyState === 'open') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const attempt = new AbortController();
      const on = { signal: AbortSignal.any([attempt.signal, this.#lifetime.signal]) };
      const settle = (error?: RtvoiceError) => {
        attempt.abort();
        if (error) reject(error);
        else resolve();
      };
      dc.addEventListener('open', () => settle(), on);
      dc.addEventListener('close', () => settle(new RtvoiceError('data_channel_closed', 'The data channel closed before it opened.')), on);
      pc.addEventListener('connectionstatechange', () => {
        if (pc.connectionState === 'failed') settle(new RtvoiceError('ice_failed', 'The WebRTC connection failed (ICE).'));
      }, on);
      signal.addEventListener('abort', () => settle(abortedError()), on);
      this.#lifetime.signal.addEventListener('abort', () => settle(abortedError()), on);
    });
  }

  /** After open: report a connection that ends by itself. */
  #watch(pc: RTCPeerConnection, dc: RTCDataChannel): void {
    const on = { signal: this.#lifetime.signal };
    dc.addEventListener('close', () => this.#fail(new RtvoiceError('data_channel_closed', 'The data channel closed.')), on);
    pc.addEventListener('connectionstatechange', () => {
      const state = pc.connectionState;
      if (state === 'failed' || state === 'closed') {
        this.#fail(new RtvoiceError('ice_failed', `The WebRTC connection is ${state}.`));
      } else if (state === 'disconnected') {
        clearTimeout(this.#graceTimer);
        this.#graceTimer = setTimeout(
          () => this.#fail(new RtvoiceError('ice_failed', 'The WebRTC connection stayed disconnected.')),
          this.#options.disconnectGraceMs ?? 5000,
        );
      } else {
        clearTimeout(this.#graceTimer);
      }
    }, on);
  }

  #fail(reason: RtvoiceError): void {
    if (this.#state === 'closed') return;
    this.close();
    this.#events.emit('closed', reason);
  }
}

function abortedError(cause?: unknown): RtvoiceError {
  return new RtvoiceError('aborted', 'The connection attempt was cancelled.', cause === undefined ? {} : { cause });
}
