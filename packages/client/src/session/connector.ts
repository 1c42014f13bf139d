import type { MicControl } from '../audio/mic-control.js';
import { RemoteAudio } from '../audio/remote-audio.js';
import type { TypedEmitter } from '../emitter.js';
import { RtvoiceError, toRtvoiceError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import { createOpenAICommands, type Commands, type SessionConfig } from '../protocol/client-events.js';
import type { OpenAIRouter } from '../protocol/openai-router.js';
import type { ConnectionState } from '../state.js';
import { isTokenFresh, type EphemeralToken } from '../token/token-source.js';
import type { Transport } from '../transport/transport.js';
import { WebRtcTransport } from '../transport/webrtc-transport.js';
import { untilAborted } from './abort.js';
import { ConnectionResources, type ConnectOptions, type Prepared, type PrepareOptions } from './connection.js';
import { connectMetrics, type ConnectMetrics } from './metrics.js';
import { reconnectLoop } from './reconnect.js';
import type { ResponseTracker } from './responses.js';
import type { SessionSignals } from './signals.js';
import { TokenFlow } from './token-flow.js';

/** What the connector needs from the session it connects. */
export interface ConnectorHost {
  readonly options: ResolvedOptions;
  readonly mic: MicControl;
  readonly signals: TypedEmitter<SessionSignals>;
  readonly router: OpenAIRouter;
  readonly tracker: ResponseTracker;
  readonly state: ConnectionState;
  transition(state: ConnectionState, reason?: RtvoiceError): void;
  emitError(error: RtvoiceError): void;
  /** The `session.update` each new connection starts with, if any. */
  sessionUpdate(): SessionConfig | undefined;
  /** `connect()` starts a new conversation (and gates the mic before it is attached). */
  newConversation(): void;
  /** Plays the live connection's audio, reporting a refusal. */
  play(stream?: MediaStream): Promise<void>;
  /** `live` carries the conversation from now on (playback, devices, the mic gate), and is `connected`. */
  connected(live: ConnectionResources, metrics: ConnectMetrics): void;
  /** The live connection dropped: what was in flight on it is over. */
  connectionLost(): void;
  /** Re-creates the conversation on a new connection. */
  replay(commands: Commands): void;
  /** The session failed for good. */
  fail(reason: RtvoiceError): void;
}

/**
 * The connection lifecycle of a session: `prepare()`, `connect()` with its
 * timeout, opening a transport up to `session.created`, the drop of a live
 * connection and the automatic reconnection. It owns the live connection and
 * the commands that speak on it; the conversation is the host's.
 */
export class Connector {
  readonly #host: ConnectorHost;
  readonly #tokens: TokenFlow;
  #attempt: { controller: AbortController; promise: Promise<void> } | undefined;
  #live: ConnectionResources | undefined;
  #commands: Commands | undefined;
  #prepared: Prepared | undefined;
  /** When the connection dropped by itself in the last minute. */
  #drops: number[] = [];

  constructor(host: ConnectorHost) {
    this.#host = host;
    this.#tokens = new TokenFlow(host.options);
  }

  /** The connection carrying the conversation (or being opened). */
  get live(): ConnectionResources | undefined {
    return this.#live;
  }

  /** The commands on the open connection, once it is open. */
  get commands(): Commands | undefined {
    return this.#commands;
  }

  /** See `VoiceSession.prepare()`. */
  prepare(options: PrepareOptions): Promise<void> {
    const current = this.#prepared;
    if (current && (current.mode === 'connection' || !options.connect)) return current.promise;
    this.dropPrepared();
    const controller = new AbortController();
    const signal = controller.signal;
    const live = new ConnectionResources();
    const p: Prepared = { mode: options.connect ? 'connection' : 'local', live, controller, token: undefined as never, promise: undefined as never };
    this.#prepared = p;
    p.promise = (async () => {
      const [token, mic] = await untilAborted(Promise.all([this.#tokens.get(signal), options.connect ? null : this.#host.mic.open(signal)]), signal);
      p.token = token;
      live.transport = this.#newTransport();
      if (mic) return live.transport.prepare?.(mic, signal);
      await this.#open(live, token, null, signal);
      const idle = setTimeout(() => this.#prepared === p && this.dropPrepared(), this.#host.options.preparedIdleMs);
      live.onRelease(() => clearTimeout(idle));
    })().catch((error: unknown) => {
      if (this.#prepared === p) this.dropPrepared();
      throw toRtvoiceError(error, 'network_error', 'prepare() failed.');
    });
    return p.promise;
  }

  /** Starts a connect attempt, or joins the one running (a reconnection included). */
  connect(options: ConnectOptions): Promise<void> {
    // An attempt cancelled by disconnect() is not joined: a connect() right after it starts anew.
    if (this.#attempt && !this.#attempt.controller.signal.aborted) return this.#attempt.promise;
    const controller = new AbortController();
    options.signal?.addEventListener('abort', () => controller.abort(new RtvoiceError('aborted', 'Aborted.')), {
      once: true,
      signal: controller.signal,
    });
    return this.#track(controller, this.#connect(controller, options));
  }

  /** Aborts the attempt running (connect or reconnection), if any. */
  abortAttempt(reason: RtvoiceError): void {
    this.#attempt?.controller.abort(reason);
  }

  /** Drops what `prepare()` did or is doing. */
  dropPrepared(): void {
    const p = this.#prepared;
    if (!p) return;
    this.#prepared = undefined;
    p.controller.abort(new RtvoiceError('aborted', 'Aborted.'));
    void p.live.release();
    if (this.#live === p.live) this.#live = undefined;
    const state = this.#host.state;
    if (state === 'idle' || state === 'closed' || state === 'failed') this.#host.mic.release();
  }

  /** Releases the prepared and the live connection; resolves once released. */
  release(): Promise<void> | undefined {
    this.dropPrepared();
    const released = this.#live?.release();
    this.#live = undefined;
    this.#commands = undefined;
    return released;
  }

  /** A new conversation: the count of recent drops starts over. */
  resetDrops(): void {
    this.#drops = [];
  }

  #track(controller: AbortController, run: Promise<void>): Promise<void> {
    const promise = run.finally(() => {
      if (this.#attempt?.controller === controller) this.#attempt = undefined;
    });
    this.#attempt = { controller, promise };
    return promise;
  }

  async #connect(controller: AbortController, options: ConnectOptions): Promise<void> {
    const host = this.#host;
    host.transition('connecting');
    host.newConversation();
    const started = performance.now();
    const since = () => Math.round(performance.now() - started);
    let p = this.#prepared;
    this.#prepared = undefined;
    let live: ConnectionResources | undefined;
    let tokenMs = 0;
    let micMs = 0;
    let hasToken = false;
    let hasMic = false;
    /** What the connect still waits for, for the timeout's message. */
    const waitingFor = () =>
      [!hasToken && 'the token', !hasMic && 'microphone access'].filter(Boolean).join(' and ') ||
      live?.transport?.waitingFor ||
      'session.created';
    const timeoutMs = host.options.connectTimeoutMs;
    const timer = setTimeout(() => controller.abort(new RtvoiceError('connect_timeout', `No session after ${timeoutMs} ms (waiting for ${waitingFor()}).`)), timeoutMs);
    const signal = controller.signal;
    try {
      if (p) {
        // A preparation still running is finished first; one that failed is redone from scratch.
        await untilAborted(p.promise, signal).catch((error: unknown) => {
          if (signal.aborted) throw error;
          p = undefined;
        });
      }
      let mode: ConnectMetrics['prepared'] = 'none';
      if (p?.mode === 'connection' && p.live.created && !p.live.released) {
        mode = 'connection';
        live = p.live;
        hasToken = true;
        const mic = await untilAborted(host.mic.open(signal), signal);
        micMs = since();
        hasMic = true;
        await untilAborted(live.transport!.setMic(mic), signal);
        this.#speakFirst(options.speakFirst);
      } else {
        if (p?.mode === 'local' && !p.live.released && isTokenFresh(p.token)) mode = 'local';
        else void p?.live.release();
        live = mode === 'local' ? p!.live : new ConnectionResources();
        hasToken = mode === 'local';
        const tokenP = hasToken ? Promise.resolve(p!.token) : this.#tokens.get(signal).then((t) => ((tokenMs = since()), (hasToken = true), t));
        const micP = host.mic.open(signal).then((m) => ((micMs = since()), (hasMic = true), m));
        // The peer connection and its offer are made while the token and the mic are on their way; the mic is attached after.
        const offerP = live.transport ? undefined : (live.transport = this.#newTransport()).prepare?.(null, signal);
        const [token, mic] = await untilAborted(Promise.all([tokenP, micP, offerP]), signal);
        await this.#open(live, token, mic, signal, options.speakFirst);
      }
      clearTimeout(timer);
      this.#goLive(live, connectMetrics(live, started, { prepared: mode, reconnect: false, tokenMs, micMs }));
    } catch (thrown) {
      clearTimeout(timer);
      const reason = signal.reason as unknown;
      const error = signal.aborted && reason instanceof RtvoiceError ? reason : toRtvoiceError(thrown, 'network_error', 'connect() failed.');
      // A getUserMedia still pending (the token failed first) must stop its track when it resolves.
      controller.abort(error);
      void live?.release();
      if (this.#live === live) this.#live = undefined;
      // Only the current attempt may fail the session (a newer connect() may be connecting already).
      if (host.state === 'connecting' && this.#attempt?.controller === controller) {
        host.mic.release();
        host.transition('failed', error);
        if (error.code !== 'aborted') host.emitError(error);
      }
      throw error;
    }
  }

  /** Opens `live`'s transport, sends the session configuration, waits for `session.created`. */
  async #open(live: ConnectionResources, token: EphemeralToken, mic: MediaStreamTrack | null, signal: AbortSignal, first?: ConnectOptions['speakFirst']): Promise<void> {
    const host = this.#host;
    const transport = live.transport!;
    this.#live = live;
    host.router.reset();
    let created!: () => void;
    const isCreated = new Promise<void>((resolve, reject) => ((created = resolve), (live.fail = reject)));
    live.onRelease(host.signals.on('sessionCreated', () => this.#live === live && ((live.created = true), created())));
    live.onRelease(transport.on('message', (data) => this.#live === live && host.router.handle(data)));
    // The track comes before session.created: played at once, so that the output path is warm when the first words
    // come (starting it then costs 100-200 ms). A prepared connection tries too, silently: before any click the
    // browser may refuse, and the click plays it.
    live.onRelease(
      transport.on('remoteTrack', (_track, stream) => {
        if (this.#live !== live) return;
        live.stream = stream;
        const remote = (live.remote ??= new RemoteAudio(host.options.audioElement));
        void (this.#prepared?.live === live ? remote.play(stream) : host.play(stream));
      }),
    );
    live.onRelease(transport.on('closed', (reason) => this.#onDrop(live, reason)));
    await transport.connect({ callsUrl: token.callsUrl, ephemeralKey: token.value, mic, request: host.options.tokenRequest }, signal);
    live.openedAt = performance.now();
    this.#commands = createOpenAICommands((event) => transport.send(JSON.stringify(event)));
    const config = host.sessionUpdate();
    if (config) this.#commands.updateSession(config);
    this.#speakFirst(first);
    await untilAborted(isCreated, signal);
  }

  /** Asks for the first response with the session configuration, a round trip before `session.created` comes back. */
  #speakFirst(first: ConnectOptions['speakFirst']): void {
    if (first) this.#host.tracker.request(first === true ? undefined : first);
  }

  #goLive(live: ConnectionResources, metrics: ConnectMetrics): void {
    this.#live = live;
    live.remote ??= new RemoteAudio(this.#host.options.audioElement);
    this.#host.connected(live, metrics);
  }

  /** The connection dropped by itself: reconnect, or fail. */
  #onDrop(live: ConnectionResources, reason: RtvoiceError): void {
    const host = this.#host;
    if (this.#prepared?.live === live) return this.dropPrepared();
    if (live !== this.#live) return;
    // Before session.created: the pending connect() or reconnection attempt fails now, not at its timeout.
    if (!live.created) return void live.fail?.(reason);
    if (host.state !== 'connected') return;
    void live.release();
    this.#commands = undefined;
    host.connectionLost();
    // A connection that keeps dropping right after each reconnection is not reconnected
    // forever: more drops within a minute than reconnection attempts fail the session.
    const now = performance.now();
    this.#drops = [...this.#drops.filter((t) => now - t < 60_000), now];
    const policy = host.options.reconnect;
    if (!policy || this.#drops.length > policy.maxAttempts) {
      host.fail(policy ? new RtvoiceError('reconnect_failed', 'Dropped too often.', { cause: reason }) : reason);
      return;
    }
    host.transition('reconnecting', reason);
    const controller = new AbortController();
    this.#track(controller, this.#reconnect(controller)).catch(() => undefined);
  }

  async #reconnect(controller: AbortController): Promise<void> {
    const host = this.#host;
    const signal = controller.signal;
    try {
      await reconnectLoop(host.options.reconnect as Exclude<ResolvedOptions['reconnect'], false>, signal, async () => {
        const started = performance.now();
        const live = new ConnectionResources();
        try {
          const token = await this.#tokens.get(signal);
          const tokenMs = Math.round(performance.now() - started);
          live.transport = this.#newTransport();
          await this.#open(live, token, host.mic.track ?? null, AbortSignal.any([signal, AbortSignal.timeout(host.options.connectTimeoutMs)]));
          host.replay(this.#commands!);
          this.#goLive(live, connectMetrics(live, started, { prepared: 'none', reconnect: true, tokenMs, micMs: 0 }));
        } catch (error) {
          void live.release();
          if (this.#live === live) this.#live = undefined;
          throw error;
        }
      });
    } catch (error) {
      if (!signal.aborted) host.fail(error as RtvoiceError);
      throw error;
    }
  }

  #newTransport(): Transport {
    const o = this.#host.options;
    return (o.transport ?? (() => new WebRtcTransport(o.fetch ? { fetch: o.fetch } : {})))();
  }
}
