import { LevelMeter, type AudioLevels } from '../audio/level-meter.js';
import { openMicrophone } from '../audio/microphone.js';
import { RemoteAudio } from '../audio/remote-audio.js';
import { TypedEmitter, type Listener } from '../emitter.js';
import { RtvoiceError, toRtvoiceError } from '../errors.js';
import type { ClientEvents, ConnectMetrics } from '../events.js';
import { createLogger, type Logger } from '../logger.js';
import { resolveOptions, type ResolvedOptions, type VoiceSessionOptions } from '../options.js';
import { responseCreate, sessionUpdate, userTextItem, type ClientEvent, type SessionConfig } from '../protocol/client-events.js';
import { canTransition, type ConnectionState } from '../state.js';
import { fetchToken, resolveProvidedToken, type EphemeralToken } from '../token/token-source.js';
import { WebRtcTransport } from '../transport/webrtc-transport.js';
import { ConnectionResources } from './connection.js';
import { ServerEventRouter } from './server-event-router.js';

/**
 * A voice conversation with a Realtime model: fetches an ephemeral key from your
 * token endpoint, opens the microphone, connects over WebRTC, plays the model's
 * voice and turns the server's events into typed events.
 *
 * Creating a session has no side effects (safe during SSR); everything happens
 * in `connect()`. Listeners registered with `on()` survive `disconnect()`, so a
 * session can be connected again.
 *
 * @example
 * ```ts
 * import { VoiceSession } from '@rtvoice/client';
 *
 * const session = new VoiceSession({ tokenUrl: '/api/token' });
 * session.on('transcript', (t) => { if (t.final) console.log(`${t.role}: ${t.text}`); });
 * session.on('error', (err) => console.error(err.code, err.message));
 * await session.connect(); // call from a click: browsers need a gesture for audio
 * // … later
 * session.disconnect();
 * ```
 */
export class VoiceSession {
  readonly #options: ResolvedOptions;
  readonly #log: Logger;
  readonly #events: TypedEmitter<ClientEvents>;
  readonly #router: ServerEventRouter;
  #state: ConnectionState = 'idle';
  #attempt: { controller: AbortController; promise: Promise<void> } | undefined;
  #live: ConnectionResources | undefined;
  #levels: LevelMeter | undefined;
  #sessionCreated: (() => void) | undefined;

  /** Validates `options` (throws `invalid_options`); touches no browser API. */
  constructor(options: VoiceSessionOptions) {
    this.#options = resolveOptions(options);
    this.#log = createLogger(this.#options.logLevel, this.#options.logger);
    this.#events = new TypedEmitter<ClientEvents>((error, event) => this.#onListenerError(error, event));
    this.#router = new ServerEventRouter(this.#events, () => this.#sessionCreated?.());
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The stream of the model's voice, once it arrived. */
  get remoteStream(): MediaStream | undefined {
    return this.#live?.remote?.stream;
  }

  /** The element playing the model's voice, while connected. */
  get audioElement(): HTMLAudioElement | undefined {
    return this.#live?.remote?.element;
  }

  /** The microphone track being sent, while connected. */
  get micTrack(): MediaStreamTrack | undefined {
    return this.#live?.mic?.track;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ClientEvents>(type: K, listener: Listener<ClientEvents, K>): () => void {
    return this.#events.on(type, listener);
  }

  /** Subscribes to the next occurrence of an event; returns the unsubscribe function. */
  once<K extends keyof ClientEvents>(type: K, listener: Listener<ClientEvents, K>): () => void {
    return this.#events.once(type, listener);
  }

  /** Removes a listener. */
  off<K extends keyof ClientEvents>(type: K, listener: Listener<ClientEvents, K>): void {
    this.#events.off(type, listener);
  }

  /** Removes all your listeners (of one event, or of all). */
  removeAllListeners(type?: keyof ClientEvents): void {
    this.#events.removeAllListeners(type);
  }

  /**
   * Connects. Resolves once the server has sent `session.created`. Idempotent:
   * while connecting it returns the same promise, once connected it resolves at
   * once. Rejects with an {@link RtvoiceError} (also emitted as `error`, except
   * `aborted` from `disconnect()`), after releasing everything it opened.
   */
  connect(): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve();
    if (this.#attempt) return this.#attempt.promise;
    const controller = new AbortController();
    const promise = this.#run(controller).finally(() => {
      if (this.#attempt?.controller === controller) this.#attempt = undefined;
    });
    this.#attempt = { controller, promise };
    return promise;
  }

  /**
   * Ends the session: cancels a pending `connect()`, closes the peer connection
   * and data channel, stops the microphone rtvoice opened, stops playback and
   * removes rtvoice's own listeners. Safe to call in any state.
   */
  disconnect(): void {
    if (this.#state === 'idle' || this.#state === 'closed' || this.#state === 'closing') return;
    this.#attempt?.controller.abort(new RtvoiceError('aborted', 'disconnect() was called while connecting.'));
    this.#transition('closing');
    this.#releaseLive();
    this.#transition('closed');
  }

  /** Sends a raw client event (see PROTOCOL.md). Throws `invalid_state` unless connected. */
  send(event: ClientEvent): void {
    const transport = this.#live?.transport;
    if (this.#state !== 'connected' || !transport) {
      throw new RtvoiceError('invalid_state', `send() needs a connected session; the session is ${this.#state}.`);
    }
    this.#log.debug('send', { type: event.type });
    transport.send(JSON.stringify(event));
  }

  /** Sends a user text message and asks for a response. */
  sendText(text: string): void {
    this.send(userTextItem(text));
    this.send(responseCreate());
  }

  /** Changes the session configuration (`session.update`). Fields you omit stay as they are. */
  updateSession(session: SessionConfig): void {
    this.send(sessionUpdate(session));
  }

  /** Input and output levels for a visualizer. Creates an AudioContext on first call, closed on disconnect. */
  getLevels(): AudioLevels {
    const live = this.#live;
    if (!live || live.released) return { input: 0, output: 0 };
    this.#levels ??= new LevelMeter();
    if (live.mic) this.#levels.attach('input', live.mic.track);
    const remoteTrack = live.remote?.stream?.getAudioTracks()[0];
    if (remoteTrack) this.#levels.attach('output', remoteTrack);
    return this.#levels.read();
  }

  async #run(controller: AbortController): Promise<void> {
    this.#transition('connecting');
    const started = performance.now();
    const since = () => Math.round(performance.now() - started);
    const live = new ConnectionResources();
    this.#live = live;
    this.#router.reset();
    const timer = setTimeout(
      () => controller.abort(new RtvoiceError('connect_timeout', `connect() took longer than ${this.#options.connectTimeoutMs} ms.`)),
      this.#options.connectTimeoutMs,
    );
    live.onRelease(() => clearTimeout(timer));
    const signal = controller.signal;
    try {
      let tokenMs = 0;
      let micMs = 0;
      const tokenP = this.#token(signal).then((t) => ((tokenMs = since()), t));
      const micP = openMicrophone(this.#options.audio, this.#options.mediaStream).then((m) => {
        micMs = since();
        live.adoptMic(m);
        return m;
      });
      const [token, mic] = await untilAborted(Promise.all([tokenP, micP]), signal);

      // A track that ends by itself (device unplugged, permission revoked) leaves the
      // agent deaf: say so. Calling stop() ourselves does not fire 'ended'.
      const onMicEnded = () => {
        if (!live.released) this.#events.emit('error', new RtvoiceError('mic_failed', 'The microphone stopped (unplugged, or access was revoked).'));
      };
      mic.track.addEventListener('ended', onMicEnded);
      live.onRelease(() => mic.track.removeEventListener('ended', onMicEnded));
      live.remote = new RemoteAudio(this.#options.audioElement);
      const transport = (this.#options.transport ?? (() => new WebRtcTransport({ ...(this.#options.fetch && { fetch: this.#options.fetch }) })))();
      live.transport = transport;
      const created = new Promise<void>((resolve) => (this.#sessionCreated = resolve));
      live.onRelease(() => (this.#sessionCreated = undefined));
      live.onRelease(transport.on('message', (data) => this.#router.handle(data)));
      live.onRelease(transport.on('remoteTrack', (_track, stream) => void this.#play(live, stream)));
      live.onRelease(transport.on('closed', (reason) => this.#onTransportClosed(live, reason)));

      await transport.connect({ callsUrl: token.callsUrl, ephemeralKey: token.value, mic: mic.track }, signal);
      const dataChannelOpenMs = since();
      if (this.#options.session) transport.send(JSON.stringify(sessionUpdate(this.#options.session)));
      await untilAborted(created, signal);
      clearTimeout(timer);
      this.#transition('connected');
      const metrics: ConnectMetrics = { kind: 'connect', tokenMs, micMs, dataChannelOpenMs, totalMs: since() };
      this.#log.info('connected', { ...metrics });
      this.#events.emit('metrics', metrics);
    } catch (thrown) {
      const reason = signal.reason as unknown;
      const error = signal.aborted && reason instanceof RtvoiceError ? reason : toRtvoiceError(thrown, 'network_error', 'connect() failed.');
      live.release();
      if (this.#live === live) this.#live = undefined;
      if (this.#state === 'connecting') {
        this.#transition('failed', error);
        this.#events.emit('error', error);
      }
      throw error;
    }
  }

  #token(signal: AbortSignal): Promise<EphemeralToken> {
    const o = this.#options;
    if (o.getToken) return resolveProvidedToken(o.getToken, o.callsUrl, signal);
    return fetchToken(o.tokenUrl as string, o.tokenRequestBody, o.callsUrl, signal, o.fetch ?? globalThis.fetch.bind(globalThis));
  }

  async #play(live: ConnectionResources, stream: MediaStream): Promise<void> {
    if (live.released || !live.remote) return;
    const playing = await live.remote.play(stream);
    if (!playing && !live.released) {
      this.#events.emit('error', new RtvoiceError('autoplay_blocked', 'The browser blocked audio playback; call connect() from a user gesture.'));
    }
  }

  #onTransportClosed(live: ConnectionResources, reason: RtvoiceError): void {
    if (live !== this.#live || this.#state !== 'connected') return;
    this.#log.warn('connection lost', { code: reason.code });
    this.#releaseLive();
    this.#transition('failed', reason);
    this.#events.emit('error', reason);
  }

  #releaseLive(): void {
    this.#live?.release();
    this.#live = undefined;
    this.#levels?.close();
    this.#levels = undefined;
  }

  #transition(state: ConnectionState, reason?: RtvoiceError): void {
    const previous = this.#state;
    if (!canTransition(previous, state)) {
      this.#log.error('illegal state transition refused', { previous, state });
      return;
    }
    this.#state = state;
    this.#log.info(`state ${previous} → ${state}`, reason ? { code: reason.code } : undefined);
    this.#events.emit('stateChange', reason ? { state, previous, reason } : { state, previous });
  }

  #onListenerError(error: unknown, event: keyof ClientEvents): void {
    if (event === 'error') {
      // An error listener that throws has nowhere else to report: surface it asynchronously.
      queueMicrotask(() => {
        throw error;
      });
      return;
    }
    this.#events.emit('error', new RtvoiceError('listener_error', `A '${String(event)}' listener threw.`, { cause: error }));
  }
}

/** Rejects with the signal's reason as soon as it aborts, without waiting for `promise`. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}
