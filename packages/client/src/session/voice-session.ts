import { listDevices, watchDevices, type AudioDevices } from '../audio/devices.js';
import { LevelMeter, type AudioLevels } from '../audio/level-meter.js';
import { MicControl } from '../audio/mic-control.js';
import { RemoteAudio } from '../audio/remote-audio.js';
import { TypedEmitter, type Listener } from '../emitter.js';
import { RtvoiceError, toRtvoiceError } from '../errors.js';
import type { ClientEvents } from '../events.js';
import { createLogger, type Logger } from '../logger.js';
import { resolveOptions, type ResolvedOptions, type VoiceSessionOptions } from '../options.js';
import { createOpenAICommands, type ClientEvent, type Commands, type ItemInput, type ResponseOptions, type SessionConfig } from '../protocol/client-events.js';
import { OpenAIRouter } from '../protocol/openai-router.js';
import { canTransition, type ConnectionState } from '../state.js';
import { isTokenFresh, type EphemeralToken } from '../token/token-source.js';
import { ToolRunner, type ToolErrorEvent } from '../tools/tool-runner.js';
import type { Transport } from '../transport/transport.js';
import { WebRtcTransport } from '../transport/webrtc-transport.js';
import { untilAborted } from './abort.js';
import { ConnectionResources, type ConnectOptions, type Prepared, type PrepareOptions } from './connection.js';
import { History, type HistoryItem } from './history.js';
import { TurnMeter, connectMetrics, type ConnectMetrics, type SessionMetrics } from './metrics.js';
import { mirrorSignals } from './public-events.js';
import { TokenFlow } from './token-flow.js';
import { ResponseTracker, newEventId } from './responses.js';
import { reconnectLoop } from './reconnect.js';
import { mergeConfig, sessionConfigFor } from './session-config.js';
import type { SessionSignals } from './signals.js';
import { TurnTracker, type Speaker } from './turns.js';
import { UsageMeter, type UsageTotals } from './usage.js';

/**
 * A voice conversation with a Realtime model: fetches an ephemeral key from your
 * token endpoint, opens the microphone, connects over WebRTC, plays the model's
 * voice, runs your tools, handles barge-in, keeps the history, usage and
 * latency, and reconnects after a network drop.
 *
 * Creating a session has no side effects (safe during SSR); everything happens
 * in `prepare()` / `connect()`. Listeners registered with `on()` survive
 * `disconnect()`, so a session can be connected again.
 *
 * @example
 * ```ts
 * import { VoiceSession } from '@rtvoice/client';
 *
 * const session = new VoiceSession({
 *   tokenUrl: '/api/token',
 *   tools: [{ name: 'get_time', description: 'The current time.', execute: () => new Date().toISOString() }],
 * });
 * session.on('historyChange', ({ history }) => render(history));
 * session.on('error', (err) => console.error(err.code, err.message));
 * button.onclick = () => session.connect(); // from a click: browsers need a gesture for audio
 * ```
 */
export class VoiceSession {
  readonly #o: ResolvedOptions;
  readonly #log: Logger;
  readonly #events: TypedEmitter<ClientEvents>;
  readonly #signals = new TypedEmitter<SessionSignals>((error) => queueMicrotask(() => { throw error; }));
  readonly #router: OpenAIRouter;
  readonly #tracker: ResponseTracker;
  readonly #tools: ToolRunner;
  readonly #history: History;
  readonly #usage: UsageMeter;
  readonly #turns: TurnTracker;
  readonly #levels = new LevelMeter();
  readonly #turnMeter: TurnMeter;
  #state: ConnectionState = 'idle';
  #attempt: { controller: AbortController; promise: Promise<void> } | undefined;
  #live: ConnectionResources | undefined;
  #commands: Commands | undefined;
  #prepared: Prepared | undefined;
  /** Each connection's key; it preconnects to the Realtime endpoint meanwhile. */
  readonly #tokens: TokenFlow;
  readonly #mic: MicControl;
  #outputDeviceId: string | undefined;
  #muted = false;
  /** When the push-to-talk button was pressed. */
  #talkStart = 0;
  #ptt: boolean;
  #config: SessionConfig | undefined;
  #metrics: SessionMetrics = { connect: undefined, turns: [] };
  #heldOutputs = false;
  /** Messages sent with sendText() that the server has not acknowledged yet: replayed if the connection drops first. */
  readonly #unacked = new Map<string, ItemInput>();
  /** When the connection dropped by itself in the last minute. */
  #drops: number[] = [];
  #unwatchDevices: (() => void) | undefined;

  /** Validates `options` (throws `invalid_options`); touches no browser API. */
  constructor(options: VoiceSessionOptions) {
    const o = (this.#o = resolveOptions(options));
    this.#tokens = new TokenFlow(o);
    this.#log = createLogger(o.logLevel, o.logger);
    this.#events = new TypedEmitter<ClientEvents>((error, event) => this.#onListenerError(error, event));
    this.#ptt = o.pushToTalk;
    this.#mic = new MicControl(o.audio, o.mediaStream, () => this.#live?.transport, () => {
      // A session that cannot hear is not left `connected`: it fails, and the app may connect again.
      if (this.#state === 'connected' || this.#state === 'reconnecting') this.#fail(new RtvoiceError('mic_failed', 'The microphone stopped.'));
    });
    this.#config = o.session;
    const signals = this.#signals;
    const emit = this.#events.emit.bind(this.#events);
    this.#router = new OpenAIRouter(this.#events, signals);
    this.#tracker = new ResponseTracker(signals, () => this.#commands);
    this.#history = new History(signals, (item) => emit('historyChange', item ? { history: this.history, item } : { history: this.history }));
    signals.on('itemAdded', ({ item }) => this.#unacked.delete(item.id));
    this.#usage = new UsageMeter(signals, o.prices, o.budget, (total) => emit('usage', total), (error, disconnect) => {
      this.#emitError(error);
      if (disconnect) void this.disconnect();
    });
    this.#turns = new TurnTracker(signals, {
      tracker: this.#tracker,
      commands: () => this.#commands,
      silence: (on) => this.#live?.remote?.silence(on),
      onSpeaking: (who) => emit('speaking', { who }),
      onInterrupted: (e) => {
        if (e.itemId) this.#history.markInterrupted(e.itemId, e.audioEndMs);
        emit('interrupted', e);
      },
    });
    this.#tools = new ToolRunner(
      signals,
      o.tools,
      {
        tracker: this.#tracker,
        context: this,
        serverTools: !!o.callUrl,
        sendOutput: (callId, output) => {
          if (this.#state !== 'connected' || !this.#commands) return !(this.#heldOutputs = true);
          this.#commands.createItem({ type: 'function_call_output', callId, output });
          return true;
        },
        recordOutput: (callId, output, failed) => this.#history.recordOutput(callId, output, failed),
        emit: (type: 'toolCall' | 'toolResult' | 'toolError', e: never) => {
          emit(type, e);
          if (type === 'toolError') this.#emitError((e as ToolErrorEvent).error);
        },
      },
      o.toolTimeoutMs,
      o.toolAck,
    );
    this.#turnMeter = new TurnMeter(signals, (m) => {
      this.#metrics = { ...this.#metrics, turns: [...this.#metrics.turns.slice(-49), m] };
      emit('metrics', m);
    });
    mirrorSignals(signals, emit, (error) => this.#emitError(error));
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The conversation so far: messages and tool calls in server order (a copy). */
  get history(): HistoryItem[] {
    return this.#history.items;
  }

  /** Token totals and estimated cost of this conversation. */
  get usage(): UsageTotals {
    return this.#usage.total;
  }

  /** The last connection's timing and the last turns' latency. */
  get metrics(): SessionMetrics {
    return this.#metrics;
  }

  /** Whether the microphone is muted (`mute()`). */
  get muted(): boolean {
    return this.#muted;
  }

  /** Whether push-to-talk is in effect (the `pushToTalk` option, or since the first `startTalking()`). */
  get pushToTalk(): boolean {
    return this.#ptt;
  }

  /** Who is speaking now. */
  get speaking(): Speaker {
    return this.#turns.speaker;
  }

  /** The stream of the model's voice, once it arrived. */
  get remoteStream(): MediaStream | undefined {
    return this.#live?.remote?.stream;
  }

  /** The element playing the model's voice, while connected. */
  get audioElement(): HTMLAudioElement | undefined {
    return this.#live?.remote?.element;
  }

  /** The microphone track being sent, while connected (or prepared). */
  get micTrack(): MediaStreamTrack | undefined {
    return this.#mic.track;
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
   * Does the slow parts of `connect()` ahead, before the user clicks.
   *
   * - `prepare()`: asks for microphone permission and opens the track, fetches
   *   a token (kept while it is valid), creates the peer connection and its
   *   offer. A click then costs one SDP round trip plus the ICE/DTLS handshake.
   * - `prepare({ connect: true })`: opens the whole connection now, without
   *   touching the microphone (no permission prompt). A click then only opens
   *   the mic and attaches it: no network round trip. The idle connection holds
   *   a session slot but sends no audio, so it bills no audio tokens; it is
   *   closed after `preparedIdleMs` (default 60 s) if `connect()` never comes.
   *
   * Resolves when ready; rejects with an `RtvoiceError` (nothing stays open).
   */
  prepare(options: PrepareOptions = {}): Promise<void> {
    if (this.#state === 'connecting' || this.#state === 'connected' || this.#state === 'reconnecting') return Promise.resolve();
    const current = this.#prepared;
    if (current && (current.mode === 'connection' || !options.connect)) return current.promise;
    this.#dropPrepared();
    const controller = new AbortController();
    const signal = controller.signal;
    const live = new ConnectionResources();
    const p: Prepared = { mode: options.connect ? 'connection' : 'local', live, controller, token: undefined as never, promise: undefined as never };
    this.#prepared = p;
    p.promise = (async () => {
      const [token, mic] = await untilAborted(Promise.all([this.#tokens.get(signal), options.connect ? null : this.#mic.open(signal)]), signal);
      p.token = token;
      live.transport = this.#newTransport();
      if (mic) return live.transport.prepare?.(mic, signal);
      await this.#open(live, token, null, signal);
      const idle = setTimeout(() => this.#prepared === p && this.#dropPrepared(), this.#o.preparedIdleMs);
      live.onRelease(() => clearTimeout(idle));
    })().catch((error: unknown) => {
      if (this.#prepared === p) this.#dropPrepared();
      throw toRtvoiceError(error, 'network_error', 'prepare() failed.');
    });
    return p.promise;
  }

  /**
   * Connects (from a user gesture, so audio may play). Resolves once the server
   * has sent `session.created`. Idempotent: while connecting it returns the
   * same promise, once connected it resolves at once. Rejects with an
   * {@link RtvoiceError} (also emitted as `error`, except `aborted`), after
   * releasing everything it opened.
   */
  connect(options: ConnectOptions = {}): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve();
    // An attempt cancelled by disconnect() is not joined: a connect() right after it starts anew.
    if (this.#attempt && !this.#attempt.controller.signal.aborted) return this.#attempt.promise;
    // Created or resumed here, inside the user's gesture, so that levels work later.
    this.#levels.resume();
    const controller = new AbortController();
    options.signal?.addEventListener('abort', () => controller.abort(new RtvoiceError('aborted', 'Aborted.')), {
      once: true,
      signal: controller.signal,
    });
    const promise = this.#connect(controller, options).finally(() => {
      if (this.#attempt?.controller === controller) this.#attempt = undefined;
    });
    this.#attempt = { controller, promise };
    return promise;
  }

  /**
   * Ends the session: cancels a pending `connect()` or reconnection, closes the
   * peer connection, stops the microphone rtvoice opened, stops playback,
   * closes audio nodes and timers. Resolves once everything is released. Safe
   * to call in any state; your `on()` listeners stay.
   */
  async disconnect(): Promise<void> {
    this.#dropPrepared();
    if (this.#state === 'idle' || this.#state === 'closed' || this.#state === 'closing') return;
    this.#attempt?.controller.abort(new RtvoiceError('aborted', 'Aborted.'));
    this.#transition('closing');
    const closed = this.#end();
    this.#transition('closed');
    await closed;
  }

  /** Sends a raw client event (see PROTOCOL.md). Throws `invalid_state` unless connected. */
  send(event: ClientEvent): void {
    this.#need('send');
    this.#live!.transport!.send(JSON.stringify(event));
  }

  /** Sends a user text message and asks for an answer (queued while a response is active). */
  sendText(text: string): void {
    const commands = this.#need('sendText');
    const item: ItemInput = { type: 'message', role: 'user', text, id: newEventId('item') };
    this.#unacked.set(item.id!, item);
    commands.createItem(item);
    this.#tracker.request();
  }

  /** Asks the model to respond now (queued while a response is active), with optional per-response overrides. */
  createResponse(overrides?: ResponseOptions): void {
    this.#need('createResponse');
    this.#tracker.request(overrides);
  }

  /** Changes the session configuration (`session.update`). Fields you omit stay; a reconnection re-applies them. */
  updateSession(session: SessionConfig): void {
    this.#need('updateSession').updateSession(session);
    this.#config = mergeConfig(this.#config, session);
  }

  /** Cuts the assistant off now: local audio goes silent, the server stops the response. Returns false if nothing was playing. */
  interrupt(): boolean {
    if (this.#state !== 'connected') return false;
    return this.#turns.interrupt('manual');
  }

  /** Stops sending microphone audio (the track stays open, so unmuting is instant). Emits `muteChange`. */
  mute(): void {
    this.#setMuted(true);
  }

  /** Sends microphone audio again. Emits `muteChange`. */
  unmute(): void {
    this.#setMuted(false);
  }

  #setMuted(muted: boolean): void {
    const changed = muted !== this.#muted;
    this.#muted = muted;
    this.#applyMic();
    if (changed) this.#events.emit('muteChange', { muted });
  }

  /**
   * Push-to-talk, press: switches turn detection off (once), cuts the assistant
   * off, clears the input buffer and opens the mic.
   */
  startTalking(): void {
    const commands = this.#need('startTalking');
    if (this.#turns.talking) return;
    if (!this.#ptt) {
      this.#ptt = true;
      this.updateSession({ audio: { input: { turn_detection: null } } });
    }
    this.#turns.interrupt('push-to-talk');
    commands.clearInput();
    this.#talkStart = performance.now();
    this.#turns.talking = true;
    this.#applyMic();
    this.#turns.update();
  }

  /**
   * Push-to-talk, release: closes the mic, commits what was said and asks for
   * the answer. A tap (held under 150 ms) is no turn: the input is cleared and
   * nothing is asked (the server refuses to commit under 100 ms of audio).
   */
  stopTalking(): void {
    if (!this.#turns.talking || this.#state !== 'connected') return;
    this.#turns.talking = false;
    this.#applyMic();
    this.#turns.update();
    const commands = this.#commands!;
    if (performance.now() - this.#talkStart < 150) return commands.clearInput();
    commands.commitInput();
    this.#tracker.request();
  }

  /** Input and output levels (0–1) for a visualizer: cheap, call it every animation frame. */
  getLevels(): AudioLevels {
    if (!this.#attachLevels()) return { input: 0, output: 0 };
    return this.#levels.read();
  }

  /** Fills `target` (e.g. `new Uint8Array(256)`) with the input or output spectrum (0–255 per bin) and returns it. */
  getFrequencyData(kind: 'input' | 'output', target: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
    if (!this.#attachLevels()) return target.fill(0);
    return this.#levels.frequencyData(kind, target);
  }

  /** Retries audio playback (and the level meter) after `autoplay_blocked`; call it from a user gesture. */
  async resumeAudio(): Promise<void> {
    this.#levels.resume();
    await this.#play();
  }

  /** Lists microphones and speakers (labels need microphone permission). */
  listDevices(): Promise<AudioDevices> {
    return listDevices();
  }

  /** Switches the microphone, live and without renegotiation (`replaceTrack`); before connecting, sets the one to open. */
  setInputDevice(deviceId: string): Promise<void> {
    return this.#mic.switchTo(deviceId);
  }

  /** Plays the model's voice through another output device (`setSinkId`). Throws `unsupported` where the browser cannot. */
  async setOutputDevice(deviceId: string): Promise<void> {
    if (typeof HTMLMediaElement === 'undefined' || !('setSinkId' in HTMLMediaElement.prototype)) {
      throw new RtvoiceError('unsupported', 'No setSinkId() in this browser.');
    }
    this.#outputDeviceId = deviceId;
    await this.#live?.remote?.setSinkId(deviceId);
  }

  // ── connection ─────────────────────────────────────────────────────────

  #dropPrepared(): void {
    const p = this.#prepared;
    if (!p) return;
    this.#prepared = undefined;
    p.controller.abort(new RtvoiceError('aborted', 'Aborted.'));
    p.live.release();
    if (this.#live === p.live) this.#live = undefined;
    if (this.#state === 'idle' || this.#state === 'closed' || this.#state === 'failed') this.#mic.release();
  }

  async #connect(controller: AbortController, options: ConnectOptions): Promise<void> {
    this.#transition('connecting');
    this.#newConversation();
    // Gate the mic before it is attached: in push-to-talk (or muted) nothing is sent from the first packet.
    this.#applyMic();
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
    const timer = setTimeout(
      () => controller.abort(new RtvoiceError('connect_timeout', `No session after ${this.#o.connectTimeoutMs} ms (waiting for ${waitingFor()}).`)),
      this.#o.connectTimeoutMs,
    );
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
        const mic = await untilAborted(this.#mic.open(signal), signal);
        micMs = since();
        hasMic = true;
        await untilAborted(live.transport!.setMic(mic), signal);
        this.#speakFirst(options.speakFirst);
      } else {
        if (p?.mode === 'local' && !p.live.released && isTokenFresh(p.token)) mode = 'local';
        else p?.live.release();
        live = mode === 'local' ? p!.live : new ConnectionResources();
        hasToken = mode === 'local';
        const tokenP = hasToken ? Promise.resolve(p!.token) : this.#tokens.get(signal).then((t) => ((tokenMs = since()), (hasToken = true), t));
        const micP = this.#mic.open(signal).then((m) => ((micMs = since()), (hasMic = true), m));
        // The peer connection and its offer are made while the token and the mic are on their way; the mic is attached after.
        const offerP = live.transport ? undefined : (live.transport = this.#newTransport()).prepare?.(null, signal);
        const [token, mic] = await untilAborted(Promise.all([tokenP, micP, offerP]), signal);
        await this.#open(live, token, mic, signal, options.speakFirst);
      }
      clearTimeout(timer);
      this.#goLive(live);
      this.#transition('connected');
      this.#reportConnect(live, started, { prepared: mode, reconnect: false, tokenMs, micMs });
    } catch (thrown) {
      clearTimeout(timer);
      const reason = signal.reason as unknown;
      const error = signal.aborted && reason instanceof RtvoiceError ? reason : toRtvoiceError(thrown, 'network_error', 'connect() failed.');
      // A getUserMedia still pending (the token failed first) must stop its track when it resolves.
      controller.abort(error);
      live?.release();
      if (this.#live === live) this.#live = undefined;
      // Only the current attempt may fail the session (a newer connect() may be connecting already).
      if (this.#state === 'connecting' && this.#attempt?.controller === controller) {
        this.#mic.release();
        this.#transition('failed', error);
        if (error.code !== 'aborted') this.#emitError(error);
      }
      throw error;
    }
  }

  /** Opens `live`'s transport, sends the session configuration, waits for `session.created`. */
  async #open(live: ConnectionResources, token: EphemeralToken, mic: MediaStreamTrack | null, signal: AbortSignal, first?: ConnectOptions['speakFirst']): Promise<void> {
    const transport = live.transport!;
    this.#live = live;
    this.#router.reset();
    let created!: () => void;
    const isCreated = new Promise<void>((resolve, reject) => ((created = resolve), (live.fail = reject)));
    live.onRelease(this.#signals.on('sessionCreated', () => this.#live === live && ((live.created = true), created())));
    live.onRelease(transport.on('message', (data) => this.#live === live && this.#router.handle(data)));
    // The track comes before session.created: played at once, so that the output path is warm when the first words
    // come (starting it then costs 100-200 ms). A prepared connection tries too, silently: before any click the
    // browser may refuse, and the click plays it.
    live.onRelease(
      transport.on('remoteTrack', (_track, stream) => {
        if (this.#live !== live) return;
        live.stream = stream;
        const remote = (live.remote ??= new RemoteAudio(this.#o.audioElement));
        void (this.#prepared?.live === live ? remote.play(stream) : this.#play(stream));
      }),
    );
    live.onRelease(transport.on('closed', (reason) => this.#onDrop(live, reason)));
    await transport.connect({ callsUrl: token.callsUrl, ephemeralKey: token.value, mic, request: this.#o.tokenRequest }, signal);
    live.openedAt = performance.now();
    this.#commands = createOpenAICommands((event) => transport.send(JSON.stringify(event)));
    const config = sessionConfigFor(this.#config, this.#tools.declarations(), this.#ptt);
    if (config) this.#commands.updateSession(config);
    this.#speakFirst(first);
    await untilAborted(isCreated, signal);
  }

  /** Asks for the first response with the session configuration, a round trip before `session.created` comes back. */
  #speakFirst(first: ConnectOptions['speakFirst']): void {
    if (first) this.#tracker.request(first === true ? undefined : first);
  }

  /** `live` carries the conversation from now on. */
  #goLive(live: ConnectionResources): void {
    this.#live = live;
    live.remote ??= new RemoteAudio(this.#o.audioElement);
    if (this.#outputDeviceId) void live.remote.setSinkId(this.#outputDeviceId).catch(() => undefined);
    this.#unwatchDevices ??= watchDevices((d) => this.#events.emit('devicechange', d));
    this.#applyMic();
    void this.#play(live.stream);
  }

  #reportConnect(live: ConnectionResources, started: number, m: Pick<ConnectMetrics, 'prepared' | 'reconnect' | 'tokenMs' | 'micMs'>): void {
    const metrics = connectMetrics(live, started, m);
    this.#metrics = { ...this.#metrics, connect: metrics };
    this.#events.emit('metrics', metrics);
  }

  /** The connection dropped by itself: reconnect, or fail. */
  #onDrop(live: ConnectionResources, reason: RtvoiceError): void {
    if (this.#prepared?.live === live) {
      this.#dropPrepared();
      return;
    }
    if (live !== this.#live) return;
    // Before session.created: the pending connect() or reconnection attempt fails now, not at its timeout.
    if (!live.created) return void live.fail?.(reason);
    if (this.#state !== 'connected') return;
    live.release();
    this.#commands = undefined;
    this.#turns.reset();
    this.#tracker.reset(false);
    this.#history.endInProgress();
    // A connection that keeps dropping right after each reconnection is not reconnected
    // forever: more drops within a minute than reconnection attempts fail the session.
    const now = performance.now();
    this.#drops = [...this.#drops.filter((t) => now - t < 60_000), now];
    const policy = this.#o.reconnect;
    if (!policy || this.#drops.length > policy.maxAttempts) {
      this.#fail(policy ? new RtvoiceError('reconnect_failed', 'Dropped too often.', { cause: reason }) : reason);
      return;
    }
    this.#transition('reconnecting', reason);
    const controller = new AbortController();
    const promise = this.#reconnect(controller).finally(() => {
      if (this.#attempt?.controller === controller) this.#attempt = undefined;
    });
    promise.catch(() => undefined);
    this.#attempt = { controller, promise };
  }

  async #reconnect(controller: AbortController): Promise<void> {
    const signal = controller.signal;
    try {
      await reconnectLoop(
        this.#o.reconnect as Exclude<ResolvedOptions['reconnect'], false>,
        signal,
        async () => {
          const started = performance.now();
          const live = new ConnectionResources();
          try {
            const token = await this.#tokens.get(signal);
            const tokenMs = Math.round(performance.now() - started);
            live.transport = this.#newTransport();
            await this.#open(live, token, this.#mic.track ?? null, AbortSignal.any([signal, AbortSignal.timeout(this.#o.connectTimeoutMs)]));
            this.#replay();
            this.#goLive(live);
            this.#transition('connected');
            this.#reportConnect(live, started, { prepared: 'none', reconnect: true, tokenMs, micMs: 0 });
          } catch (error) {
            live.release();
            if (this.#live === live) this.#live = undefined;
            throw error;
          }
        },
      );
    } catch (error) {
      if (!signal.aborted) this.#fail(error as RtvoiceError);
      throw error;
    }
  }

  /** Re-creates the conversation on a new connection, so it goes on where it was. */
  #replay(): void {
    const commands = this.#commands!;
    for (const item of this.#history.replayItems()) commands.createItem(item);
    // Typed just before the drop, never acknowledged: sent again after the rest.
    for (const item of this.#unacked.values()) commands.createItem(item);
    // A tool finished while the connection was down: its output is in the replay; ask for the answer now.
    if (this.#heldOutputs && this.#tools.running === 0) this.#tracker.request();
    this.#heldOutputs = false;
    this.#tracker.flush();
  }

  /** The live session failed for good. */
  #fail(reason: RtvoiceError): void {
    // A reconnection still running must not bring the failed session back.
    this.#attempt?.controller.abort(reason);
    void this.#end();
    this.#transition('failed', reason);
    this.#emitError(reason);
  }

  /** Releases everything of the session (but not your listeners); resolves when the audio context is closed too. */
  #end(): Promise<void> {
    this.#dropPrepared();
    const released = this.#live?.release();
    this.#live = undefined;
    this.#commands = undefined;
    this.#tools.cancelAll(false);
    this.#turns.reset();
    this.#tracker.reset(true);
    this.#history.endInProgress();
    this.#turnMeter.stop();
    this.#mic.release();
    this.#unwatchDevices?.();
    this.#unwatchDevices = undefined;
    return Promise.all([released, this.#levels.close()]).then(() => undefined);
  }

  /** A new conversation: history, usage, tool memory and budget start over. */
  #newConversation(): void {
    this.#tools.cancelAll(true);
    this.#usage.reset();
    this.#heldOutputs = false;
    this.#unacked.clear();
    this.#drops = [];
    this.#metrics = { connect: undefined, turns: [] };
    if (this.#history.items.length) this.#history.clear();
  }

  #newTransport(): Transport {
    return (this.#o.transport ?? (() => new WebRtcTransport(this.#o.fetch ? { fetch: this.#o.fetch } : {})))();
  }

  // ── microphone and playback ───────────────────────────────────────────

  /** The mic sends audio unless muted, or (in push-to-talk) while the button is not held. */
  #applyMic(): void {
    this.#mic.sending = !this.#muted && (!this.#ptt || this.#turns.talking);
  }

  async #play(stream?: MediaStream): Promise<void> {
    const remote = this.#live?.remote;
    if (!remote || (!stream && !remote.stream)) return;
    const result = await remote.play(stream);
    if (result === 'playing' || this.#live?.remote !== remote) return;
    this.#emitError(
      result === 'autoplay_blocked'
        ? new RtvoiceError('autoplay_blocked', 'Playback needs a gesture: call resumeAudio() from one.')
        : new RtvoiceError('audio_playback_failed', 'Playback failed.'),
    );
  }

  #attachLevels(): boolean {
    const live = this.#live;
    if (!live || live.released || this.#state !== 'connected') return false;
    const mic = this.#mic.track;
    if (mic) this.#levels.attach('input', mic);
    const remoteTrack = live.remote?.stream?.getAudioTracks()[0];
    if (remoteTrack) this.#levels.attach('output', remoteTrack);
    return true;
  }

  // ── events ─────────────────────────────────────────────────────────────

  /** Throws `invalid_state` unless connected; returns the commands. */
  #need(method: string): Commands {
    if (this.#state !== 'connected' || !this.#commands) {
      throw new RtvoiceError('invalid_state', `${method}() needs a connected session (${this.#state}).`);
    }
    return this.#commands;
  }

  #emitError(error: RtvoiceError): void {
    // An error nobody listens to must not vanish.
    if (this.#events.listenerCount('error') === 0) this.#log.error(`${error.code}: ${error.message}`);
    this.#events.emit('error', error);
  }

  #transition(state: ConnectionState, reason?: RtvoiceError): void {
    const previous = this.#state;
    if (!canTransition(previous, state)) {
      this.#log.error('illegal transition', { previous, state });
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
    this.#emitError(new RtvoiceError('listener_error', `A '${String(event)}' listener threw.`, { cause: error }));
  }
}
