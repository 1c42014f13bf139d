import { listDevices, watchDevices, type AudioDevices } from '../audio/devices.js';
import { LevelMeter, type AudioLevels } from '../audio/level-meter.js';
import { MicControl } from '../audio/mic-control.js';
import { TypedEmitter, type Listener } from '../emitter.js';
import { RtvoiceError } from '../errors.js';
import type { ClientEvents } from '../events.js';
import { createLogger, type Logger } from '../logger.js';
import { resolveOptions, type ResolvedOptions, type VoiceSessionOptions } from '../options.js';
import { type ClientEvent, type Commands, type ResponseOptions, type SessionConfig } from '../protocol/client-events.js';
import { OpenAIRouter } from '../protocol/openai-router.js';
import { canTransition, type ConnectionState } from '../state.js';
import { ToolRunner, type ToolErrorEvent } from '../tools/tool-runner.js';
import type { ConnectOptions, PrepareOptions } from './connection.js';
import { Connector, type ConnectorHost } from './connector.js';
import { History, type HistoryItem } from './history.js';
import { TurnMeter, type SessionMetrics } from './metrics.js';
import { mirrorSignals } from './public-events.js';
import { Replay } from './replay.js';
import { ResponseTracker, newEventId } from './responses.js';
import { mergeConfig, sessionConfigFor } from './session-config.js';
import type { SessionSignals } from './signals.js';
import { TalkGate } from './talk-gate.js';
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
  readonly #conn: Connector;
  readonly #mic: MicControl;
  #outputDeviceId: string | undefined;
  readonly #talk: TalkGate;
  #config: SessionConfig | undefined;
  #metrics: SessionMetrics = { connect: undefined, turns: [] };
  readonly #replay: Replay;
  #unwatchDevices: (() => void) | undefined;

  /** Validates `options` (throws `invalid_options`); touches no browser API. */
  constructor(options: VoiceSessionOptions) {
    const o = (this.#o = resolveOptions(options));
    this.#log = createLogger(o.logLevel, o.logger);
    this.#events = new TypedEmitter<ClientEvents>((error, event) => this.#onListenerError(error, event));
    this.#mic = new MicControl(o.audio, o.mediaStream, () => this.#conn.live?.transport, () => {
      // A session that cannot hear is not left `connected`: it fails, and the app may connect again.
      if (this.#state === 'connected' || this.#state === 'reconnecting') this.#fail(new RtvoiceError('mic_failed', 'The microphone stopped.'));
    });
    this.#config = o.session;
    const signals = this.#signals;
    const emit = this.#events.emit.bind(this.#events);
    this.#router = new OpenAIRouter(this.#events, signals);
    this.#tracker = new ResponseTracker(signals, () => this.#conn.commands);
    this.#history = new History(signals, (item) => emit('historyChange', item ? { history: this.history, item } : { history: this.history }));
    this.#replay = new Replay(signals, this.#history, this.#tracker, () => this.#tools.running);
    this.#usage = new UsageMeter(signals, o.prices, o.budget, (total) => emit('usage', total), (error, disconnect) => {
      this.#emitError(error);
      if (disconnect) void this.disconnect();
    });
    this.#turns = new TurnTracker(signals, {
      tracker: this.#tracker,
      commands: () => this.#conn.commands,
      silence: (on) => this.#conn.live?.remote?.silence(on),
      onSpeaking: (who) => emit('speaking', { who }),
      onInterrupted: (e) => {
        if (e.itemId) this.#history.markInterrupted(e.itemId, e.audioEndMs);
        emit('interrupted', e);
      },
    });
    this.#talk = new TalkGate(this.#mic, this.#turns, o.pushToTalk);
    this.#tools = new ToolRunner(
      signals,
      o.tools,
      {
        tracker: this.#tracker,
        context: this,
        serverTools: !!o.callUrl,
        sendOutput: (callId, output) => {
          const commands = this.#conn.commands;
          if (this.#state !== 'connected' || !commands) return !(this.#replay.heldOutputs = true);
          commands.createItem({ type: 'function_call_output', callId, output });
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
    this.#conn = new Connector(this.#connectorHost());
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
    return this.#talk.muted;
  }

  /** Whether push-to-talk is in effect (the `pushToTalk` option, or since the first `startTalking()`). */
  get pushToTalk(): boolean {
    return this.#talk.ptt;
  }

  /** Who is speaking now. */
  get speaking(): Speaker {
    return this.#turns.speaker;
  }

  /** The stream of the model's voice, once it arrived. */
  get remoteStream(): MediaStream | undefined {
    return this.#conn.live?.remote?.stream;
  }

  /** The element playing the model's voice, while connected. */
  get audioElement(): HTMLAudioElement | undefined {
    return this.#conn.live?.remote?.element;
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
    return this.#conn.prepare(options);
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
    // Created or resumed here, inside the user's gesture, so that levels work later.
    this.#levels.resume();
    return this.#conn.connect(options);
  }

  /**
   * Ends the session: cancels a pending `connect()` or reconnection, closes the
   * peer connection, stops the microphone rtvoice opened, stops playback,
   * closes audio nodes and timers. Resolves once everything is released. Safe
   * to call in any state; your `on()` listeners stay.
   */
  async disconnect(): Promise<void> {
    this.#conn.dropPrepared();
    if (this.#state === 'idle' || this.#state === 'closed' || this.#state === 'closing') return;
    this.#conn.abortAttempt(new RtvoiceError('aborted', 'Aborted.'));
    this.#transition('closing');
    const closed = this.#end();
    this.#transition('closed');
    await closed;
  }

  /** Sends a raw client event (see PROTOCOL.md). Throws `invalid_state` unless connected. */
  send(event: ClientEvent): void {
    this.#need('send');
    this.#conn.live!.transport!.send(JSON.stringify(event));
  }

  /** Sends a user text message and asks for an answer (queued while a response is active). */
  sendText(text: string): void {
    const commands = this.#need('sendText');
    const item = { type: 'message', role: 'user', text, id: newEventId('item') } as const;
    this.#replay.sent(item);
    commands.createItem(item, item.id);
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
    if (this.#talk.setMuted(muted)) this.#events.emit('muteChange', { muted });
  }

  /**
   * Push-to-talk, press: switches turn detection off (once), cuts the assistant
   * off, clears the input buffer and opens the mic.
   */
  startTalking(): void {
    const commands = this.#need('startTalking');
    if (this.#turns.talking) return;
    if (!this.#talk.ptt) {
      this.#talk.ptt = true;
      this.updateSession({ audio: { input: { turn_detection: null } } });
    }
    this.#talk.press(commands);
  }

  /**
   * Push-to-talk, release: closes the mic, commits what was said and asks for
   * the answer. A tap (held under 150 ms) is no turn: the input is cleared and
   * nothing is asked (the server refuses to commit under 100 ms of audio).
   */
  stopTalking(): void {
    if (!this.#turns.talking || this.#state !== 'connected') return;
    if (this.#talk.release(this.#conn.commands!)) this.#tracker.request();
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
    await this.#conn.live?.remote?.setSinkId(deviceId);
  }

  // ── connection ─────────────────────────────────────────────────────────

  /** The session side of the connection lifecycle (see Connector). */
  #connectorHost(): ConnectorHost {
    const session = this;
    return {
      options: this.#o,
      mic: this.#mic,
      signals: this.#signals,
      router: this.#router,
      tracker: this.#tracker,
      get state() {
        return session.#state;
      },
      transition: (state, reason) => this.#transition(state, reason),
      emitError: (error) => this.#emitError(error),
      sessionUpdate: () => sessionConfigFor(this.#config, this.#tools.declarations(), this.#talk.ptt),
      newConversation: () => this.#newConversation(),
      play: (stream) => this.#play(stream),
      connected: (live, metrics) => {
        if (this.#outputDeviceId) void live.remote!.setSinkId(this.#outputDeviceId).catch(() => undefined);
        this.#unwatchDevices ??= watchDevices((d) => this.#events.emit('devicechange', d));
        this.#talk.apply();
        void this.#play(live.stream);
        this.#transition('connected');
        this.#metrics = { ...this.#metrics, connect: metrics };
        this.#events.emit('metrics', metrics);
      },
      connectionLost: () => {
        this.#turns.reset();
        this.#tracker.reset(false);
        this.#history.endInProgress();
      },
      replay: (commands) => this.#replay.run(commands),
      fail: (reason) => this.#fail(reason),
    };
  }

  /** The live session failed for good. */
  #fail(reason: RtvoiceError): void {
    // A reconnection still running must not bring the failed session back.
    this.#conn.abortAttempt(reason);
    void this.#end();
    this.#transition('failed', reason);
    this.#emitError(reason);
  }

  /** Releases everything of the session (but not your listeners); resolves when the audio context is closed too. */
  #end(): Promise<void> {
    const released = this.#conn.release();
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

  /** A new conversation: history, usage, tool memory and budget start over; the mic is gated before it is attached. */
  #newConversation(): void {
    this.#talk.apply();
    this.#tools.cancelAll(true);
    this.#usage.reset();
    this.#replay.clear();
    this.#conn.resetDrops();
    this.#metrics = { connect: undefined, turns: [] };
    if (this.#history.items.length) this.#history.clear();
  }

  // ── microphone and playback ───────────────────────────────────────────

  async #play(stream?: MediaStream): Promise<void> {
    const remote = this.#conn.live?.remote;
    if (!remote || (!stream && !remote.stream)) return;
    const result = await remote.play(stream);
    if (result === 'playing' || this.#conn.live?.remote !== remote) return;
    this.#emitError(
      result === 'autoplay_blocked'
        ? new RtvoiceError('autoplay_blocked', 'Playback needs a gesture: call resumeAudio() from one.')
        : new RtvoiceError('audio_playback_failed', 'Playback failed.'),
    );
  }

  #attachLevels(): boolean {
    const live = this.#conn.live;
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
    const commands = this.#conn.commands;
    if (this.#state !== 'connected' || !commands) {
      throw new RtvoiceError('invalid_state', `${method}() needs a connected session (${this.#state}).`);
    }
    return commands;
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
