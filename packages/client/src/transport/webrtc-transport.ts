import { TypedEmitter } from '../emitter.js';
import { RtvoiceError, isRtvoiceError, toRtvoiceError } from '../errors.js';
import { untilAborted } from '../session/abort.js';
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

/** Timing of the last `connect()`, in ms from its start. */
export interface WebRtcTimings {
  offerMs: number;
  sdpMs: number;
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
  #sender: RTCRtpSender | undefined;
  #offer: string | undefined;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Settles the pending `connect()` while the data channel is not open yet. */
  #opening: ((error?: RtvoiceError) => void) | undefined;
  /** Aborted on close: every DOM listener is registered with its signal, every pending step races it. */
  readonly #lifetime = new AbortController();
  readonly #events = new TypedEmitter<TransportEvents>((error) => queueMicrotask(() => { throw error; }));
  readonly #options: WebRtcTransportOptions;
  /** The call id from the answer's `Location` header, once known. */
  callId: string | undefined;
  /** Where the last `connect()` spent its time. */
  timings: WebRtcTimings = { offerMs: 0, sdpMs: 0 };

  constructor(options: WebRtcTransportOptions = {}) {
    this.#options = options;
  }

  get state(): TransportState {
    return this.#state;
  }

  get waitingFor(): string | undefined {
    const pc = this.#pc;
    if (this.#state !== 'connecting' || !pc) return undefined;
    if (!pc.remoteDescription) return 'the SDP answer';
    const ice = pc.iceConnectionState;
    return ice === 'new' || ice === 'checking' ? 'ICE: no network path to the media server yet, UDP may be blocked' : 'the data channel';
  }

  on<K extends keyof TransportEvents>(type: K, listener: (...args: TransportEvents[K]) => void): () => void {
    return this.#events.on(type, listener as never);
  }

  async prepare(mic: MediaStreamTrack | null, signal: AbortSignal): Promise<void> {
    if (this.#offer !== undefined) return;
    if (this.#state !== 'idle') throw new RtvoiceError('invalid_state', `The transport is ${this.#state}.`);
    const abort = AbortSignal.any([signal, this.#lifetime.signal]);
    try {
      if (typeof RTCPeerConnection === 'undefined') {
        throw new RtvoiceError('unsupported_environment', 'No RTCPeerConnection here.');
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
      // One set of watchers for the whole life: before open they fail the pending connect(), after it they report the loss.
      const end = (error: RtvoiceError) => (this.#opening ? this.#opening(error) : this.#fail(error));
      dc.addEventListener('open', () => this.#opening?.(), on);
      dc.addEventListener('close', () => end(new RtvoiceError('data_channel_closed', 'The data channel closed.')), on);
      pc.addEventListener('connectionstatechange', () => {
        const state = pc.connectionState;
        clearTimeout(this.#graceTimer);
        const lost = 'The WebRTC connection was lost: ICE ';
        if (state === 'failed' || state === 'closed') {
          end(new RtvoiceError('ice_failed', this.#opening ? `WebRTC could not connect: ICE ${state} (UDP to the media server may be blocked).` : `${lost}${state}.`));
        } else if (state === 'disconnected' && this.#state === 'open') {
          const grace = this.#options.disconnectGraceMs ?? 5000;
          this.#graceTimer = setTimeout(() => end(new RtvoiceError('ice_failed', `${lost}disconnected for ${grace} ms.`)), grace);
        }
      }, on);
      const transceiver = mic
        ? pc.addTransceiver(mic, { direction: 'sendrecv', streams: [new MediaStream([mic])] })
        : pc.addTransceiver('audio', { direction: 'sendrecv' });
      this.#sender = transceiver.sender;
      // Closing a peer connection does not settle a pending createOffer/setLocalDescription: race them.
      const offer = await untilAborted(pc.createOffer(), abort);
      await untilAborted(pc.setLocalDescription(offer), abort);
      this.#offer = offer.sdp ?? '';
    } catch (error) {
      const aborted = abort.aborted; // before close(), which aborts it
      this.close();
      throw aborted ? abortedError(error) : toRtvoiceError(error, 'network_error', 'WebRTC failed.');
    }
  }

  async connect(params: TransportConnectParams, signal: AbortSignal): Promise<void> {
    if (this.#state !== 'idle') throw new RtvoiceError('invalid_state', `The transport is ${this.#state}.`);
    const started = performance.now();
    const abort = AbortSignal.any([signal, this.#lifetime.signal]);
    const onAbort = () => this.close();
    signal.addEventListener('abort', onAbort, { signal: this.#lifetime.signal });
    try {
      if (signal.aborted) throw abortedError();
      if (this.#offer === undefined) await this.prepare(params.mic, signal);
      else if (params.mic) await this.setMic(params.mic);
      this.#state = 'connecting';
      const pc = this.#pc!;
      const offerMs = performance.now() - started;
      const answer = await exchangeSdp(params.callsUrl, params.ephemeralKey, this.#offer!, abort, this.#options.fetch ?? globalThis.fetch.bind(globalThis), params.request);
      this.timings = { offerMs: Math.round(offerMs), sdpMs: Math.round(performance.now() - started - offerMs) };
      this.callId = answer.callId;
      if (abort.aborted) throw abortedError();
      try {
        await untilAborted(pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp }), abort);
      } catch (error) {
        if (abort.aborted) throw error;
        throw new RtvoiceError('sdp_rejected', 'Bad SDP answer.', { cause: error });
      }
      const dc = this.#dc!;
      await untilAborted(
        new Promise<void>((resolve, reject) => {
          this.#opening = (error) => {
            this.#opening = undefined;
            if (error) reject(error);
            else resolve();
          };
          if (dc.readyState === 'open') this.#opening();
        }),
        abort,
      );
      this.#state = 'open';
    } catch (error) {
      // Read before close(), which aborts it; a failure already classified (prepare(), SDP) keeps its code.
      const aborted = abort.aborted && !(isRtvoiceError(error) && error.code !== 'aborted');
      this.close();
      throw aborted ? abortedError(error) : toRtvoiceError(error, 'network_error', 'WebRTC failed.');
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async setMic(track: MediaStreamTrack | null): Promise<void> {
    const sender = this.#sender;
    if (!sender || sender.track === track) return;
    // No setStreams(): the service ignores the client's stream id, and it would fire negotiationneeded.
    await sender.replaceTrack(track);
  }

  send(data: string): void {
    if (this.#state !== 'open' || this.#dc?.readyState !== 'open') {
      throw new RtvoiceError('invalid_state', `The transport is ${this.#state}.`);
    }
    this.#dc.send(data);
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#opening = undefined;
    this.#lifetime.abort();
    clearTimeout(this.#graceTimer);
    try {
      this.#dc?.close();
    } finally {
      this.#pc?.close();
      this.#dc = undefined;
      this.#pc = undefined;
      this.#sender = undefined;
    }
  }

  #onTrack(e: RTCTrackEvent): void {
    if (e.track.kind !== 'audio') return;
    this.#events.emit('remoteTrack', e.track, e.streams[0] ?? new MediaStream([e.track]));
  }

  #fail(reason: RtvoiceError): void {
    if (this.#state === 'closed') return;
    this.close();
    this.#events.emit('closed', reason);
  }
}

function abortedError(cause?: unknown): RtvoiceError {
  return new RtvoiceError('aborted', 'Aborted.', cause === undefined ? {} : { cause });
}
