import { toMono16k } from '../audio/resample.js';
import { OUTPUT_FRAME_SAMPLES, OUTPUT_SAMPLE_RATE } from '../audio/output-queue.js';
import { SimError } from '../errors.js';
import type { SimLogger } from '../logger.js';
import type { AudioClock } from './audio-clock.js';
import { filterCandidates, offerProblem } from './sdp.js';
import { loadWrtc } from './wrtc.js';

/** What a peer reports to the session that owns it. */
export interface PeerHandlers {
  /** The `oai-events` data channel opened. */
  open(): void;
  /** A text frame arrived on `oai-events`. */
  message(text: string): void;
  /** 16 kHz mono audio from the browser's track. */
  audio(samples: Int16Array): void;
  /** The browser went away (channel closed, ICE failed/disconnected, connect timeout). */
  gone(reason: string): void;
  /** Pulls the next 10 ms output frame (48 kHz), or null to send nothing. */
  pull(): Int16Array | null;
}

/** Options of {@link SimPeer.answer}. */
export interface PeerOptions {
  /** Candidate address kept in the answer (`"*"` keeps every IPv4 UDP host candidate). */
  iceAddress: string;
  /** Drives the outgoing track: the sim's {@link AudioClock}, or (in an rtc host) frames that arrive from it. */
  clock: Pick<AudioClock, 'add'>;
  logger: SimLogger;
  /** Give up when the data channel has not opened after this long (default 15 s). */
  connectTimeoutMs?: number;
  /** How long ICE may stay `disconnected` before the session is closed (default 2 s). */
  disconnectGraceMs?: number;
  /** Longest wait for the first loopback candidate (default 3 s). */
  gatherTimeoutMs?: number;
}

type PC = RTCPeerConnection;

/**
 * The sim's side of one WebRTC call: a wrtc `RTCPeerConnection` with one
 * outgoing audio track (an `RTCAudioSource` driven by the shared
 * {@link AudioClock}), an `RTCAudioSink` on the browser's track and the
 * `oai-events` data channel. Owns and releases all of them.
 */
export class SimPeer {
  readonly #pc: PC;
  readonly #stopClock: () => void;
  readonly #track: MediaStreamTrack;
  readonly #handlers: PeerHandlers;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #sink: { stop(): void } | undefined;
  #channel: RTCDataChannel | undefined;
  #closed = false;
  /** The SDP answer (filtered to the loopback candidate). */
  answerSdp = '';

  private constructor(pc: PC, track: MediaStreamTrack, stopClock: () => void, handlers: PeerHandlers) {
    this.#pc = pc;
    this.#track = track;
    this.#stopClock = stopClock;
    this.#handlers = handlers;
  }

  /**
   * Answers a browser offer. Resolves once the answer carries a candidate on
   * `iceAddress` (the first one gathered, which takes ~15 ms on loopback).
   *
   * @throws SimError `invalid_offer` when the offer is not usable, `rtc_failed` when no candidate was gathered.
   */
  static async answer(offerSdp: string, handlers: PeerHandlers, options: PeerOptions): Promise<SimPeer> {
    const problem = offerProblem(offerSdp);
    if (problem) throw new SimError('invalid_offer', `Invalid SDP offer: ${problem}.`);
    const wrtc = await loadWrtc();
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] }) as unknown as PC;
    const source = new wrtc.nonstandard.RTCAudioSource();
    const track = source.createTrack() as unknown as MediaStreamTrack;
    const stream = new wrtc.MediaStream([track as never]) as unknown as MediaStream;
    pc.addTrack(track, stream);
    const stopClock = options.clock.add({
      pull: handlers.pull,
      push: (samples) =>
        source.onData({ samples, sampleRate: OUTPUT_SAMPLE_RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: OUTPUT_FRAME_SAMPLES }),
    });
    const peer = new SimPeer(pc, track, stopClock, handlers);
    try {
      const gathered = peer.#waitForCandidate(options.iceAddress, options.gatherTimeoutMs ?? 3000);
      peer.#wire(wrtc, options);
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      } catch (cause) {
        throw new SimError('invalid_offer', 'The offer was rejected by the WebRTC stack.', { cause });
      }
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered;
      const local = pc.localDescription?.sdp ?? '';
      const { sdp, kept } = filterCandidates(local, options.iceAddress);
      if (kept === 0) throw new SimError('rtc_failed', `No ICE candidate on ${options.iceAddress} was gathered.`);
      peer.answerSdp = sdp;
      return peer;
    } catch (error) {
      peer.close();
      throw error;
    }
  }

  /** Sends a text frame on `oai-events` (dropped when the channel is not open). */
  send(text: string): void {
    if (this.#channel?.readyState !== 'open') return;
    try {
      this.#channel.send(text);
    } catch {
      // The browser closed the channel between the readyState check and the send (wrtc's
      // readyState lags the native close). Dropping the frame is right: nobody is listening,
      // and an exception here would take down every other session of the process.
    }
  }

  /** Closes the data channel only (fault injection), leaving the peer connection up. */
  closeChannel(): void {
    this.#channel?.close();
  }

  /** Releases everything. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#stopClock();
    this.#sink?.stop();
    this.#sink = undefined;
    try {
      this.#channel?.close();
    } catch {
      // Already closed.
    }
    this.#track.stop();
    this.#pc.close();
  }

  #wire(wrtc: Awaited<ReturnType<typeof loadWrtc>>, options: PeerOptions): void {
    const pc = this.#pc;
    const connectTimer = this.#timer(() => this.#gone('connect_timeout'), options.connectTimeoutMs ?? 15_000);
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    pc.ondatachannel = (event) => {
      const channel = event.channel;
      if (channel.label !== 'oai-events' || this.#channel) return;
      this.#channel = channel;
      const opened = (): void => {
        clearTimeout(connectTimer);
        this.#timers.delete(connectTimer);
        this.#handlers.open();
      };
      channel.onmessage = (m: MessageEvent) => {
        if (typeof m.data === 'string') this.#handlers.message(m.data);
        else this.#handlers.message(Buffer.from(m.data as ArrayBuffer).toString('utf8'));
      };
      channel.onclose = () => this.#gone('data_channel_closed');
      if (channel.readyState === 'open') opened();
      else channel.onopen = opened;
    };
    pc.ontrack = (event) => {
      if (event.track.kind !== 'audio' || this.#sink) return;
      const sink = new wrtc.nonstandard.RTCAudioSink(event.track as never);
      sink.ondata = (data: { samples: Int16Array; sampleRate: number; channelCount?: number }) => {
        if (!this.#closed) this.#handlers.audio(toMono16k(data.samples, data.sampleRate, data.channelCount ?? 1));
      };
      this.#sink = sink;
    };
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      options.logger.debug('peer connection state', { state });
      if (state === 'failed' || state === 'closed') this.#gone(`ice_${state}`);
      else if (state === 'disconnected') {
        graceTimer ??= this.#timer(() => this.#gone('ice_disconnected'), options.disconnectGraceMs ?? 2000);
      } else if (state === 'connected' && graceTimer) {
        clearTimeout(graceTimer);
        this.#timers.delete(graceTimer);
        graceTimer = undefined;
      }
    };
  }

  #gone(reason: string): void {
    if (!this.#closed) this.#handlers.gone(reason);
  }

  #timer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
    return t;
  }

  #waitForCandidate(address: string, timeoutMs: number): Promise<void> {
    const pc = this.#pc;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        pc.onicecandidate = null;
        pc.onicegatheringstatechange = null;
        resolve();
      };
      const timer = this.#timer(done, timeoutMs);
      pc.onicecandidate = (event) => {
        const c = event.candidate?.candidate;
        if (!c) return done();
        const parts = c.split(' ');
        const udp = (parts[2] ?? '').toLowerCase() === 'udp';
        if (udp && (address === '*' ? /^\d+\.\d+\.\d+\.\d+$/.test(parts[4] ?? '') : parts[4] === address)) done();
      };
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') done();
      };
    });
  }
}
