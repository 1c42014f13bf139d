import { TypedEmitter } from '../emitter.js';
import { RtvoiceError, isRtvoiceError, toRtvoiceError } from '../errors.js';
import { DEFAULT_FORMAT, decodeAudio, encodeAudio, formatRate, sessionFormat, type AudioFormat } from '../audio/pcm.js';
import { WsAudio, type PlaybackMessage } from '../audio/ws-audio.js';
import { untilAborted } from '../session/abort.js';
import type { Transport, TransportConnectParams, TransportEvents, TransportFactory, TransportState } from './transport.js';
import type { WebRtcTimings } from './webrtc-transport.js';

/** The worklet's file name in `@rtvoice/client`'s `dist/`. */
const WORKLET_FILE = 'rtvoice-audio-worklet.js';

/** Options of {@link WebSocketTransport}. All optional. */
export interface WebSocketTransportOptions {
  /**
   * Where the app hosts `rtvoice-audio-worklet.js` (shipped as
   * `@rtvoice/client/rtvoice-audio-worklet.js`). Must be a real file URL: a
   * strict CSP forbids worklets from `blob:` and `data:`. With Vite:
   * `import workletUrl from '@rtvoice/client/rtvoice-audio-worklet.js?url'`.
   * Default: the file next to this module, which works when `@rtvoice/client`
   * is served unbundled.
   */
  workletUrl?: string | URL;
  /**
   * The Realtime WebSocket URL, or a function of the token's calls URL.
   * Default: the calls URL with `ws(s):` and `/v1/realtime` for
   * `/v1/realtime/calls` (`https://api.openai.com/v1/realtime/calls` →
   * `wss://api.openai.com/v1/realtime`), query string kept.
   */
  url?: string | ((callsUrl: string) => string);
  /** Adds `?model=` to the URL (an ephemeral key already fixes the model; some gateways want it). */
  model?: string;
  /** Length of each `input_audio_buffer.append`, in ms (10–100, default 20). */
  chunkMs?: number;
  /** Model audio buffered before playback starts, in ms (default 40): absorbs network jitter. */
  prebufferMs?: number;
  /**
   * Play through a local WebRTC loopback inside the page (default true):
   * Chromium cancels echo only for audio that WebRTC plays, so without it the
   * model may hear itself on speakers. Falls back to direct playback when the
   * loopback cannot connect.
   */
  echoCancellationLoopback?: boolean;
  /** Give up when the socket has not opened after this long (default 10000 ms). */
  openTimeoutMs?: number;
}

/** What is known of one assistant item's audio. */
interface ItemAudio {
  responseId: string;
  contentIndex: number;
  /** Source samples received. */
  received: number;
  rate: number;
}

/**
 * The Realtime API over a WebSocket, for networks where WebRTC's UDP is
 * blocked. Same {@link Transport} contract as the WebRTC transport, so the
 * session, its features and the widget run unchanged: the microphone is
 * captured in an `AudioWorklet` and sent as `input_audio_buffer.append`
 * chunks; the model's `response.output_audio.delta` audio is played through a
 * jitter buffer and handed to the session as a remote track. What the service
 * does by itself over WebRTC, this transport does at the page: it reports
 * `output_audio_buffer.started/stopped/cleared` from the real playback, and on
 * `output_audio_buffer.clear` (barge-in, `interrupt()`) it stops playback at
 * once and sends `conversation.item.truncate` with the exact audio heard.
 * Authenticates with the ephemeral key as a WebSocket subprotocol (browsers
 * cannot set headers); never use a standard API key in a browser.
 */
export class WebSocketTransport implements Transport {
  #state: TransportState = 'idle';
  #ws: WebSocket | undefined;
  #audio: WsAudio | undefined;
  /** Settles once close() released everything (the audio context closes a moment after). */
  #released: Promise<void> = Promise.resolve();
  #preparing: Promise<void> | undefined;
  #mic: MediaStreamTrack | null = null;
  #input: AudioFormat = DEFAULT_FORMAT;
  #output: AudioFormat = DEFAULT_FORMAT;
  readonly #items = new Map<string, ItemAudio>();
  /** The item whose audio was pushed last. */
  #lastItem: string | undefined;
  /** The response in progress (`response.created` to `response.done`). */
  #active: string | undefined;
  /** The response whose playback was reported as started. */
  #playing: string | undefined;
  /** Responses whose `response.done` arrived while their audio still plays. */
  readonly #done = new Set<string>();
  /** Responses cut off at the page: their late deltas are dropped until their `response.done`. */
  readonly #cut = new Set<string>();
  /** The worklet has nothing to play. */
  #idle = true;
  /** Chunks pushed to the worklet: an `idle` report that has not seen them all is stale. */
  #pushes = 0;
  /** Cuts waiting for the worklet to say how much of their items was played, by id. */
  readonly #clears = new Map<number, { items: Map<string, ItemAudio>; last: string }>();
  #clearId = 0;
  #synthesized = 0;
  #closing: ((error?: RtvoiceError) => void) | undefined;
  readonly #lifetime = new AbortController();
  readonly #events = new TypedEmitter<TransportEvents>((error) => queueMicrotask(() => { throw error; }));
  readonly #options: WebSocketTransportOptions;
  /** Where the last `connect()` spent its time: `offerMs` is the audio setup, `sdpMs` the WebSocket handshake. */
  timings: WebRtcTimings = { offerMs: 0, sdpMs: 0 };

  constructor(options: WebSocketTransportOptions = {}) {
    const chunk = options.chunkMs ?? 20;
    if (!(chunk >= 10 && chunk <= 100)) throw new RtvoiceError('invalid_options', 'chunkMs must be between 10 and 100.');
    this.#options = options;
  }

  get state(): TransportState {
    return this.#state;
  }

  get waitingFor(): string | undefined {
    return this.#state === 'connecting' ? 'the WebSocket to open' : undefined;
  }

  on<K extends keyof TransportEvents>(type: K, listener: (...args: TransportEvents[K]) => void): () => void {
    return this.#events.on(type, listener as never);
  }

  /** Sets up the audio (context, worklet, loopback): the local part of `connect()`. */
  prepare(mic: MediaStreamTrack | null, signal: AbortSignal): Promise<void> {
    if (this.#state !== 'idle') return Promise.reject(new RtvoiceError('invalid_state', `The transport is ${this.#state}.`));
    this.#mic = mic;
    this.#preparing ??= this.#prepare(AbortSignal.any([signal, this.#lifetime.signal]));
    return this.#preparing;
  }

  async #prepare(signal: AbortSignal): Promise<void> {
    const o = this.#options;
    try {
      const audio = await WsAudio.open(
        {
          workletUrl: o.workletUrl ?? defaultWorkletUrl(),
          chunkMs: o.chunkMs ?? 20,
          prebufferMs: o.prebufferMs ?? 40,
          echoLoopback: o.echoCancellationLoopback ?? true,
          onChunk: (samples) => this.#sendAudio(samples),
          onPlayback: (m) => this.#onPlayback(m),
        },
        signal,
      );
      if (this.#state === 'closed') return audio.close();
      this.#audio = audio;
      audio.setMic(this.#mic);
    } catch (error) {
      this.#preparing = undefined;
      const aborted = signal.aborted;
      this.close();
      throw aborted ? new RtvoiceError('aborted', 'Aborted.', { cause: error }) : toRtvoiceError(error, 'audio_worklet_failed', 'Audio setup failed.');
    }
  }

  async connect(params: TransportConnectParams, signal: AbortSignal): Promise<void> {
    if (this.#state !== 'idle') throw new RtvoiceError('invalid_state', `The transport is ${this.#state}.`);
    const started = performance.now();
    const abort = AbortSignal.any([signal, this.#lifetime.signal]);
    const onAbort = () => this.close();
    signal.addEventListener('abort', onAbort, { signal: this.#lifetime.signal });
    try {
      if (signal.aborted) throw signal.reason;
      this.#mic = params.mic;
      await this.prepare(params.mic, signal);
      this.#audio!.setMic(params.mic);
      this.#audio!.resume(); // connect() runs from a click: the context may start now even if prepare() ran before one
      this.#state = 'connecting';
      const offerMs = performance.now() - started;
      await untilAborted(this.#open(params), abort);
      if (this.#state !== 'connecting') throw new RtvoiceError('websocket_closed', 'The WebSocket closed while opening.');
      this.timings = { offerMs: Math.round(offerMs), sdpMs: Math.round(performance.now() - started - offerMs) };
      const stream = this.#audio!.stream;
      this.#events.emit('remoteTrack', stream.getAudioTracks()[0]!, stream);
      this.#state = 'open';
    } catch (error) {
      // Read before close(), which aborts it; a failure already classified keeps its code.
      const aborted = abort.aborted && !(isRtvoiceError(error) && error.code !== 'aborted');
      this.close();
      throw aborted ? new RtvoiceError('aborted', 'Aborted.', { cause: error }) : toRtvoiceError(error, 'network_error', 'WebSocket failed.');
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Opens the socket; resolves on `open`, rejects when it closes or times out first. */
  #open(params: TransportConnectParams): Promise<void> {
    if (!params.ephemeralKey) throw new RtvoiceError('invalid_options', 'A call endpoint (callUrl) connects over WebRTC only.', { retryable: false });
    const url = websocketUrl(params.callsUrl, this.#options);
    const host = url.split('/', 3).join('/');
    if (typeof WebSocket === 'undefined') throw new RtvoiceError('unsupported_environment', 'No WebSocket here.');
    // The key rides in a subprotocol, which allows only token characters; a browser's error would quote the key.
    if (!/^[\w!#$%&'*+.^`|~-]+$/.test(params.ephemeralKey)) {
      throw new RtvoiceError('invalid_options', 'The key has characters a WebSocket subprotocol cannot carry.', { retryable: false });
    }
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, ['realtime', `openai-insecure-api-key.${params.ephemeralKey}`]);
    } catch {
      throw new RtvoiceError('invalid_options', `Cannot open a WebSocket to ${host}: invalid URL.`, { retryable: false });
    }
    this.#ws = ws;
    const on = { signal: this.#lifetime.signal };
    ws.addEventListener('message', (e) => typeof e.data === 'string' && this.#onMessage(e.data), on);
    ws.addEventListener('error', () => undefined, on); // a close event follows with the code; Node's `ws` throws on an unheard error
    ws.addEventListener('close', (e) => {
      const error = new RtvoiceError('websocket_closed', `The WebSocket closed (${e.code}${e.reason ? `: ${e.reason}` : ''}).`, {
        // The service closes with 3000–4999 for requests it refuses (invalid key, retired beta shape): retrying cannot help.
        retryable: !(e.code >= 3000 && e.code < 5000),
      });
      if (this.#closing) this.#closing(e.code === 1006 ? new RtvoiceError('network_error', `Cannot open a WebSocket to ${host}.`) : error);
      else this.#fail(error);
    }, on);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#closing?.(new RtvoiceError('connect_timeout', `The WebSocket to ${host} did not open.`)),
        this.#options.openTimeoutMs ?? 10_000,
      );
      this.#closing = (error) => {
        clearTimeout(timer);
        this.#closing = undefined;
        if (error) reject(error);
        else resolve();
      };
      ws.addEventListener('open', () => this.#closing?.(), on);
    });
  }

  async setMic(track: MediaStreamTrack | null): Promise<void> {
    this.#mic = track;
    this.#audio?.setMic(track);
  }

  send(data: string): void {
    const ws = this.#ws;
    if (this.#state !== 'open' || ws?.readyState !== 1) throw new RtvoiceError('invalid_state', `The transport is ${this.#state}.`);
    const type = /^\{"type":"([^"]+)"/.exec(data)?.[1] ?? (JSON.parse(data) as { type?: string }).type;
    // The output buffer is WebRTC's: over a WebSocket the page owns playback, so a clear happens here.
    if (type === 'output_audio_buffer.clear') return this.#cutAudio(true);
    // A response cancelled before its audio started must not start it later (WebRTC's server drops it too).
    if (type === 'response.cancel' && !this.#playing) this.#cutAudio(false);
    if (type === 'session.update') {
      // The server decodes appends in the new format as soon as it applies the update: switch now, not at session.updated.
      this.#input = sessionFormat((JSON.parse(data) as { session?: Record<string, unknown> }).session, 'input') ?? this.#input;
      this.#audio?.setInputRate(formatRate(this.#input));
    }
    ws.send(data);
  }

  close(): Promise<void> {
    if (this.#state === 'closed') return this.#released;
    this.#state = 'closed';
    const opening = this.#closing;
    this.#closing = undefined;
    opening?.(new RtvoiceError('aborted', 'Aborted.')); // clears the open timer
    this.#lifetime.abort();
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState < 2) ws.close(1000);
    this.#released = this.#audio?.close() ?? this.#released;
    this.#audio = undefined;
    this.#items.clear();
    this.#done.clear();
    this.#cut.clear();
    this.#clears.clear();
    return this.#released;
  }

  #sendAudio(samples: Float32Array): void {
    if (this.#state !== 'open' || this.#ws?.readyState !== 1) return;
    this.#ws.send(`{"type":"input_audio_buffer.append","audio":"${encodeAudio(samples, this.#input)}"}`);
  }

  #onMessage(data: string): void {
    let e: (Record<string, unknown> & { type?: unknown }) | null;
    try {
      e = JSON.parse(data) as typeof e;
    } catch {
      return void this.#events.emit('message', data); // the session reports it as malformed
    }
    // The event first, then what the page's playback derives from it: the order the service uses over WebRTC.
    this.#events.emit('message', data);
    if (this.#state === 'closed') return; // a listener closed the transport
    const type = e?.type;
    if (type === 'response.output_audio.delta' || type === 'response.audio.delta') {
      this.#onDelta(e as unknown as { response_id: string; item_id: string; content_index?: number; delta: string });
    } else if (type === 'session.created' || type === 'session.updated') {
      const session = e!.session as Record<string, unknown> | undefined;
      this.#input = sessionFormat(session, 'input') ?? this.#input;
      this.#output = sessionFormat(session, 'output') ?? this.#output;
      this.#audio?.setInputRate(formatRate(this.#input));
    } else if (type === 'response.created') {
      const id = (e!.response as { id?: string } | undefined)?.id;
      if (typeof id === 'string') this.#active = id;
    } else if (type === 'response.output_audio.done' || type === 'response.audio.done') {
      this.#audio?.end();
    } else if (type === 'response.done') {
      const response = e!.response as { id?: string; status?: string } | undefined;
      const id = response?.id;
      if (typeof id !== 'string') return;
      this.#audio?.end();
      if (this.#active === id) this.#active = undefined;
      // No delta of a finished response can follow: what was cut is forgotten.
      if (this.#cut.delete(id)) return;
      if (response!.status === 'cancelled' && this.#hasAudio(id)) {
        this.#cutAudio(this.#playing !== undefined);
        this.#cut.delete(id);
      } else if (this.#playing === id || this.#hasAudio(id)) {
        this.#done.add(id);
        if (this.#idle && this.#playing === id) this.#stopped(id);
      }
    }
  }

  #onDelta(e: { response_id: string; item_id: string; content_index?: number; delta: string }): void {
    const audio = this.#audio;
    if (!audio || this.#cut.has(e.response_id) || typeof e.delta !== 'string' || typeof e.item_id !== 'string') return;
    const rate = formatRate(this.#output);
    let samples: Float32Array;
    try {
      samples = decodeAudio(e.delta, this.#output);
    } catch {
      return; // Not base64: the chunk is lost, the event still reached the session.
    }
    const item = this.#items.get(e.item_id) ?? { responseId: e.response_id, contentIndex: e.content_index ?? 0, received: 0, rate };
    item.received += samples.length;
    this.#items.set(e.item_id, item);
    this.#lastItem = e.item_id;
    this.#idle = false;
    this.#pushes += 1;
    audio.push(e.item_id, samples, rate);
  }

  #onPlayback(m: PlaybackMessage): void {
    if (this.#state === 'closed') return;
    if (m.t === 'start') {
      this.#idle = false;
      const responseId = this.#items.get(m.item)?.responseId;
      if (responseId && this.#playing !== responseId) {
        if (this.#playing) this.#stopped(this.#playing);
        this.#playing = responseId;
        this.#synthesize('output_audio_buffer.started', responseId);
      }
    } else if (m.t === 'idle') {
      if (m.pushes !== this.#pushes) return; // more audio is on its way to the worklet
      this.#idle = true;
      // A gap in the middle of an answer (audio arriving slower than real time) is not the end of it.
      if (this.#playing && this.#done.has(this.#playing)) this.#stopped(this.#playing);
    } else {
      const pending = this.#clears.get(m.id);
      this.#clears.delete(m.id);
      if (!pending || this.#state !== 'open') return;
      // Truncate the item that was cut to what was really played; an item queued but not yet heard, to nothing.
      const info = m.item === null ? undefined : pending.items.get(m.item);
      const [target, played] = info && m.played < info.received ? [m.item!, m.played] : [pending.last !== m.item ? pending.last : undefined, 0];
      const cut = target === undefined ? undefined : pending.items.get(target);
      if (cut) {
        this.#ws?.send(
          JSON.stringify({ type: 'conversation.item.truncate', item_id: target, content_index: cut.contentIndex, audio_end_ms: Math.floor((played * 1000) / cut.rate) }),
        );
      }
    }
  }

  /**
   * Stops playback now and drops the audio of every response queued or in
   * progress (their late deltas too); the worklet's `cleared` answer then sends
   * the truncation. `report`: answer with `output_audio_buffer.cleared`.
   */
  #cutAudio(report: boolean): void {
    const last = this.#lastItem;
    const responseId = this.#playing ?? (last === undefined ? undefined : this.#items.get(last)?.responseId);
    const cut = new Set([...this.#items.values()].map((i) => i.responseId));
    if (this.#active) cut.add(this.#active);
    for (const id of cut) if (!this.#done.delete(id)) this.#cut.add(id);
    this.#playing = undefined;
    this.#idle = true;
    if (this.#items.size > 0 && last !== undefined) {
      const id = ++this.#clearId;
      this.#clears.set(id, { items: new Map(this.#items), last });
      this.#audio?.clear(id);
    }
    this.#items.clear();
    this.#lastItem = undefined;
    if (report) this.#synthesize('output_audio_buffer.cleared', responseId ?? null);
  }

  #hasAudio(responseId: string): boolean {
    for (const item of this.#items.values()) if (item.responseId === responseId) return true;
    return false;
  }

  #stopped(responseId: string): void {
    this.#playing = undefined;
    this.#done.delete(responseId);
    for (const [id, item] of this.#items) if (item.responseId === responseId) this.#items.delete(id);
    if (this.#lastItem !== undefined && !this.#items.has(this.#lastItem)) this.#lastItem = undefined;
    this.#synthesize('output_audio_buffer.stopped', responseId);
  }

  /** Reports what the service reports over WebRTC, from the page's own playback. */
  #synthesize(type: string, responseId: string | null): void {
    this.#events.emit('message', JSON.stringify({ type, event_id: `rtv_ws_${++this.#synthesized}`, response_id: responseId }));
  }

  #fail(reason: RtvoiceError): void {
    if (this.#state === 'closed') return;
    this.close();
    this.#events.emit('closed', reason);
  }
}

/**
 * The Realtime WebSocket URL for a calls URL:
 * `https://host/v1/realtime/calls?x` → `wss://host/v1/realtime?x`.
 */
export function websocketUrl(callsUrl: string, options: Pick<WebSocketTransportOptions, 'url' | 'model'> = {}): string {
  const given = typeof options.url === 'function' ? options.url(callsUrl) : options.url;
  const url = new URL(given ?? callsUrl);
  if (given === undefined) {
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
    url.pathname = url.pathname.replace(/\/calls\/?$/, '');
  }
  if (options.model && !url.searchParams.has('model')) url.searchParams.set('model', options.model);
  return url.href;
}

function defaultWorkletUrl(): string {
  try {
    // Not a literal: bundlers would otherwise inline the worklet as a data: URL, which a strict CSP blocks.
    return new URL(WORKLET_FILE, import.meta.url).href;
  } catch {
    throw new RtvoiceError('invalid_options', `Pass workletUrl: where your app hosts @rtvoice/client's ${WORKLET_FILE}.`);
  }
}

/**
 * Creates WebSocket transports for `new VoiceSession({ transport })`.
 *
 * @example
 * ```ts
 * import { VoiceSession, websocketTransport } from '@rtvoice/client';
 * const session = new VoiceSession({
 *   tokenUrl: '/api/realtime-token',
 *   transport: websocketTransport({ workletUrl: '/rtvoice-audio-worklet.js' }),
 * });
 * ```
 */
export function websocketTransport(options: WebSocketTransportOptions = {}): TransportFactory {
  return () => new WebSocketTransport(options);
}
