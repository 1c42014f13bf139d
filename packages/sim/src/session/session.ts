import type { Agent, PlanStep, ResponseTrigger } from '../agent/agent.js';
import { InputAudioDecoder } from '../audio/input-decoder.js';
import { OutputAudioQueue } from '../audio/output-queue.js';
import { synthesizeVoice } from '../audio/synth.js';
import type { SimLogger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { newConversationId, newEventId, newResponseId } from '../protocol/ids.js';
import { wireItem } from '../protocol/items.js';
import { RateLimitCounter } from '../protocol/rate-limits.js';
import type { BetaDialect } from '../protocol/beta-dialect.js';
import type { ResponseParamsInput } from '../protocol/client-events.js';
import type { RealtimeSession } from '../protocol/session-config.js';
import { cachedPrefix, textTokens, type TokenSplit } from '../protocol/usage.js';
import type { WireError } from '../protocol/wire-error.js';
import { Conversation, contextTokens, type StoredItem } from './conversation.js';
import { transcribe } from './input-transcription.js';
import { type AudioDelivery, ResponseRunner } from './response-runner.js';
import { TimerBag } from './timers.js';
import { type CommittedAudio, TurnDetector } from './turn-detector.js';

/** What the sim says for an out-of-band side remark (see `createResponse`). */
const FILLER = '(sim) One moment, I am still working on it.';

/** Without a `session.update`, a greeting starts this long after the channel opened. */
const GREET_FALLBACK_MS = 500;

/**
 * One connection of a session: where its server events go (the
 * `oai-events` data channel, a WebSocket, or a sideband WebSocket).
 */
export interface SessionTransport {
  /** Sends one text frame. */
  send(text: string): void;
  /**
   * Closes the connection (for the main one: the channel and the peer
   * connection, or the socket). `reason` is the session's close reason.
   */
  close(reason?: string): void;
}

/** Options of one simulated session. */
export interface SessionOptions {
  /** The initial effective session (its `id` is the `sess_…` id). */
  config: RealtimeSession;
  agent: Agent;
  transport: SessionTransport;
  logger?: SimLogger;
  /** Seconds of audio "generated" per wall-clock second (default 2). */
  generationSpeed?: number;
  /** Delay of the input transcription after a commit (default 120 ms). */
  transcriptionDelayMs?: number;
  /** Speak the beta dialect (renamed events, flat session shape) instead of GA. */
  dialect?: BetaDialect;
  /**
   * How assistant audio leaves: `track` (WebRTC, default: the output buffer,
   * `output_audio_buffer.*` events, server-side truncation on barge-in) or
   * `events` (WebSocket: `response.output_audio.delta`, no output buffer).
   */
  audioDelivery?: AudioDelivery;
  /** Called once when the session is closed. */
  onClose?: (reason: string) => void;
}

/**
 * One simulated Realtime session: the conversation, the turn detector, the
 * output audio buffer and the active response. Transport-agnostic: the RTC
 * layer feeds it input audio and data-channel messages and pulls output
 * frames from {@link SimSession.output}; a WebSocket feeds it client events
 * and gets the audio as events ({@link SessionOptions.audioDelivery}).
 * Sideband connections ({@link SimSession.attach}) get every event too.
 */
export class SimSession {
  readonly output = new OutputAudioQueue();
  readonly timers = new TimerBag();
  readonly conversation = new Conversation(newConversationId());
  readonly turns: TurnDetector;
  readonly generationSpeed: number;
  /** How assistant audio leaves the session. */
  readonly audioDelivery: AudioDelivery;
  /** Decodes `input_audio_buffer.append` payloads (keeps the stream's state between appends). */
  readonly inputDecoder = new InputAudioDecoder();
  readonly #agent: Agent;
  readonly #transport: SessionTransport;
  readonly #logger: SimLogger;
  readonly #transcriptionDelayMs: number;
  /** The beta dialect, when the client speaks it. */
  readonly dialect: BetaDialect | undefined;
  readonly #onClose: ((reason: string) => void) | undefined;
  readonly #rateLimits = new RateLimitCounter();
  #config: RealtimeSession;
  #active: ResponseRunner | undefined;
  readonly #playing = new Set<ResponseRunner>();
  /** Sideband connections: they get every event; the main transport stays the session's owner. */
  readonly #observers = new Set<SessionTransport>();
  #lastResponseId: string | null = null;
  #lastInput: TokenSplit = { text: 0, audio: 0 };
  #assistantAudioProduced = false;
  #closed = false;
  /** Optional hook run for every event before it is sent (fault injection, tests). */
  onEvent: ((event: Record<string, unknown>) => void) | undefined;

  constructor(options: SessionOptions) {
    this.#config = options.config;
    this.#agent = options.agent;
    this.#transport = options.transport;
    this.#logger = options.logger ?? silentLogger;
    this.generationSpeed = options.generationSpeed ?? 2;
    this.#transcriptionDelayMs = options.transcriptionDelayMs ?? 120;
    this.dialect = options.dialect;
    this.audioDelivery = options.audioDelivery ?? 'track';
    this.#onClose = options.onClose;
    this.turns = new TurnDetector(this.#config.audio.input.turn_detection, {
      speechStarted: (e) => this.#speechStarted(e),
      speechStopped: (e, committed) => {
        this.emit('input_audio_buffer.speech_stopped', { audio_end_ms: e.audioEndMs, item_id: e.itemId });
        this.commitAudio(committed);
        this.#autoRespond();
      },
      idleTimeout: (e, committed) => {
        this.emit('input_audio_buffer.timeout_triggered', {
          audio_start_ms: e.audioStartMs,
          audio_end_ms: e.audioEndMs,
          item_id: e.itemId,
        });
        this.commitAudio(committed);
        if (!this.#active) this.createResponse('idle_timeout');
      },
    });
  }

  /** The `sess_…` id. */
  get id(): string {
    return this.#config.id;
  }

  /** The effective session configuration. */
  get config(): RealtimeSession {
    return this.#config;
  }

  /** The response in progress, if any. */
  get activeResponse(): ResponseRunner | undefined {
    return this.#active;
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True once assistant audio was produced (the voice is then fixed). */
  get assistantAudioProduced(): boolean {
    return this.#assistantAudioProduced;
  }

  /** Sends `session.created`: call when the data channel opens. */
  open(): void {
    this.emit('session.created', { session: this.#config });
    if (this.#agent.greetsOnConnect) {
      this.#greetTimer = this.timers.set(() => this.#greet(), GREET_FALLBACK_MS);
    }
  }

  #greetTimer: ReturnType<typeof setTimeout> | undefined;

  /** Starts the agent's opening response once (scenario turn with trigger `connect`). */
  #greet(): void {
    if (this.#greetTimer === undefined) return;
    this.timers.clear(this.#greetTimer);
    this.#greetTimer = undefined;
    if (!this.#active) this.createResponse('connect');
  }

  /**
   * Sends one server event, stamping its `event_id`: to every connection
   * (the main one and the sidebands), or only to `to`.
   */
  emit(type: string, payload: Record<string, unknown> = {}, to?: SessionTransport): void {
    if (this.#closed) return;
    const ga: Record<string, unknown> = { type, event_id: newEventId(), ...payload };
    const event = this.dialect ? this.dialect.toClient(ga) : ga;
    if (!event) return;
    this.onEvent?.(event);
    if (this.#closed) return; // a hook may close the session
    const text = JSON.stringify(event);
    if (to) {
      to.send(text);
      return;
    }
    this.#transport.send(text);
    for (const observer of this.#observers) observer.send(text);
  }

  /**
   * Sends an `error` event (the session stays open): to the connection whose
   * client event caused it when `to` is given, else to every connection.
   */
  emitError(error: WireError, clientEventId: string | null = null, to?: SessionTransport): void {
    this.emit('error', { error: { ...error, event_id: clientEventId } }, to);
  }

  /**
   * Adds a sideband connection: from now on it gets every server event (no
   * `session.created`), until it is detached or the session closes (then its
   * `close(reason)` is called). Returns the function that detaches it.
   */
  attach(observer: SessionTransport): () => void {
    if (this.#closed) {
      observer.close('closed');
      return () => {};
    }
    this.#observers.add(observer);
    return () => {
      this.#observers.delete(observer);
    };
  }


  /** Replaces the effective configuration and sends `session.updated`. */
  applyConfig(next: RealtimeSession): void {
    const before = JSON.stringify(this.#config.audio.input.turn_detection);
    this.#config = next;
    if (JSON.stringify(next.audio.input.turn_detection) !== before) this.turns.configure(next.audio.input.turn_detection);
    this.emit('session.updated', { session: next });
    // Greet with the configuration the client asked for, not the defaults.
    if (this.#greetTimer !== undefined) this.#greet();
  }

  /** Feeds 16 kHz mono input audio (from the WebRTC track or decoded `input_audio_buffer.append`). */
  pushAudio(frame: Int16Array): void {
    if (!this.#closed) this.turns.push(frame);
  }

  /**
   * Emits `input_audio_buffer.committed` and adds the user audio item
   * (`conversation.item.added` + `.done`), then schedules the input
   * transcription when configured.
   */
  commitAudio(committed: CommittedAudio): void {
    const previous = this.conversation.lastId;
    this.emit('input_audio_buffer.committed', { previous_item_id: previous, item_id: committed.itemId });
    const stored: StoredItem = {
      item: {
        id: committed.itemId,
        type: 'message',
        status: 'completed',
        role: 'user',
        content: [{ type: 'input_audio', transcript: null }],
      },
      audio: committed.audio,
      audioRate: 16_000,
      voicedMs: committed.voicedMs,
      trailingSilenceMs: committed.trailingSilenceMs,
    };
    this.addItemWithEvents(stored);
    this.#transcribe(stored);
  }

  /** Inserts an item into the conversation and sends `conversation.item.added` + `.done`. */
  addItemWithEvents(stored: StoredItem, previousItemId?: string | null): boolean {
    const result = this.conversation.insert(stored, previousItemId);
    if (!result.ok) return false;
    const payload = { previous_item_id: result.previousItemId, item: wireItem(stored.item) };
    this.emit('conversation.item.added', payload);
    this.emit('conversation.item.done', { ...payload, item: wireItem(stored.item) });
    return true;
  }

  /**
   * Starts a response. Returns the error to report when one is already
   * active (`conversation_already_has_active_response`).
   */
  createResponse(trigger: ResponseTrigger, params: ResponseParamsInput = {}, input?: StoredItem[]): WireError | null {
    if (this.#active) {
      return {
        type: 'invalid_request_error',
        code: 'conversation_already_has_active_response',
        message: `Conversation already has an active response in progress: ${this.#active.id}. Wait until the response is finished before creating a new one.`,
        param: null,
      };
    }
    this.turns.disarmIdleTimeout();
    const outOfBand = params.conversation === 'none';
    const instructions = params.instructions ?? this.#config.instructions;
    const modality = params.output_modalities?.[0] ?? this.#config.output_modalities[0] ?? 'audio';
    const items = input ?? [...this.conversation.items];
    const tools = params.tools ?? this.#config.tools;
    const context = contextTokens(items);
    const inputTokens = { text: context.text + textTokens(instructions) + textTokens(JSON.stringify(tools)), audio: context.audio };
    const cached = outOfBand ? { text: 0, audio: 0 } : cachedPrefix(this.#lastInput);
    if (!outOfBand) this.#lastInput = inputTokens;
    // An out-of-band response with its own instructions and no input of its own is a side remark
    // (a "one moment" while a tool runs): the sim cannot follow instructions, so it says a filler
    // and leaves the agent's script where it is.
    const plan =
      outOfBand && params.instructions !== undefined && input === undefined
        ? { steps: [{ kind: 'message' as const, text: FILLER, audio: synthesizeVoice(FILLER, { speed: this.#config.audio.output.speed }) }] }
        : this.#agent.respond({ session: this.#config, items, instructions, modality, trigger });
    const runner = new ResponseRunner(
      {
        id: newResponseId(),
        conversationId: outOfBand ? null : this.conversation.id,
        modality,
        voice: params.audio?.output?.voice ?? this.#config.audio.output.voice,
        format: this.#config.audio.output.format,
        maxOutputTokens: params.max_output_tokens ?? this.#config.max_output_tokens,
        metadata: params.metadata ?? null,
        inputTokens,
        cachedTokens: cached,
      },
      {
        emit: (type, payload) => this.emit(type, payload),
        output: this.output,
        audioDelivery: this.audioDelivery,
        timers: this.timers,
        generationSpeed: this.generationSpeed,
        addItem: (stored) => {
          const r = this.conversation.insert(stored);
          const prev = r.ok ? r.previousItemId : null;
          this.emit('conversation.item.added', { previous_item_id: prev, item: wireItem(stored.item) });
          return prev;
        },
        sessionStep: (step) => this.#sessionStep(step),
        responseDone: (r) => {
          if (this.#active === r) this.#active = undefined;
          if (!r.playing) this.turns.armIdleTimeout();
        },
        playbackDone: (r) => {
          this.#playing.delete(r);
          if (!this.#active && this.#playing.size === 0) this.turns.armIdleTimeout();
        },
      },
    );
    this.#active = runner;
    this.#lastResponseId = runner.id;
    this.#rateLimits.consume(inputTokens.text + inputTokens.audio);
    if (modality === 'audio') {
      this.#assistantAudioProduced = true;
      this.#playing.add(runner);
    }
    this.#logger.debug('response started', { session: this.id, response: runner.id, trigger });
    runner.start(plan, this.#rateLimits.snapshot());
    return null;
  }

  /** Cancels the active response; false when none is active. */
  cancelResponse(reason: 'turn_detected' | 'client_cancelled', responseId?: string): boolean {
    const active = this.#active;
    if (!active || (responseId !== undefined && responseId !== active.id)) return false;
    active.cancel(reason);
    return true;
  }

  /**
   * Stops and drops all assistant audio not yet played, sends
   * `output_audio_buffer.cleared` and truncates each affected item to what
   * was played (`conversation.item.truncated`).
   */
  clearOutputAudio(): void {
    const runners = [...this.#playing];
    if (runners.length === 0) {
      this.emit('output_audio_buffer.cleared', { response_id: this.#lastResponseId });
      return;
    }
    for (const runner of runners) {
      const cleared = runner.clearAudio();
      this.#playing.delete(runner);
      this.emit('output_audio_buffer.cleared', { response_id: runner.id });
      for (const c of cleared) this.truncateItem(c.itemId, Math.min(c.playedMs, c.totalMs));
    }
    if (!this.#active) this.turns.armIdleTimeout();
  }

  /** Truncates an assistant audio item and sends `conversation.item.truncated`. */
  truncateItem(itemId: string, audioEndMs: number): void {
    const stored = this.conversation.get(itemId);
    if (stored?.item.type === 'message' && stored.audio && stored.audioRate) {
      stored.audio = stored.audio.subarray(0, Math.round((audioEndMs * stored.audioRate) / 1000));
      // The service deletes the transcript of a truncated item (SPEC, conversation.item.truncate).
      stored.item.content = stored.item.content.map((p) => (p.type === 'output_audio' ? { ...p, transcript: '' } : p));
    }
    this.emit('conversation.item.truncated', { item_id: itemId, content_index: 0, audio_end_ms: Math.round(audioEndMs) });
  }

  /** Closes the session: timers, responses, audio and transport. Idempotent. */
  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.timers.close();
    this.#active?.abandon();
    this.#active = undefined;
    this.#playing.clear();
    this.output.clear();
    this.#logger.info('session closed', { session: this.id, reason });
    const observers = [...this.#observers];
    this.#observers.clear();
    try {
      this.#transport.close(reason);
    } finally {
      for (const observer of observers) {
        try {
          observer.close(reason);
        } catch {
          // A sideband that is already gone.
        }
      }
      this.#onClose?.(reason);
    }
  }

  #speechStarted(e: { audioStartMs: number; itemId: string }): void {
    this.emit('input_audio_buffer.speech_started', { audio_start_ms: e.audioStartMs, item_id: e.itemId });
    const td = this.#config.audio.input.turn_detection;
    if (!td?.interrupt_response) return;
    this.cancelResponse('turn_detected');
    // Over WebRTC the server owns playback, so it also stops and truncates the audio. Over a
    // WebSocket the client plays the audio and truncates with `conversation.item.truncate`.
    if (this.audioDelivery === 'track' && this.#playing.size > 0) this.clearOutputAudio();
  }

  #autoRespond(): void {
    const td = this.#config.audio.input.turn_detection;
    if (td?.create_response && !this.#active) this.createResponse('turn_detected');
  }

  #transcribe(stored: StoredItem): void {
    const transcription = this.#config.audio.input.transcription;
    if (!transcription) return;
    const events = transcribe(stored, transcription, this.#config.include?.includes('item.input_audio_transcription.logprobs') ?? false);
    this.timers.set(() => {
      if (stored.item.type === 'message') stored.item.content = [{ type: 'input_audio', transcript: events.transcript }];
      this.emit('conversation.item.input_audio_transcription.delta', events.delta);
      this.emit('conversation.item.input_audio_transcription.completed', events.completed);
    }, this.#transcriptionDelayMs);
  }

  #sessionStep(step: Extract<PlanStep, { kind: 'error' | 'end_session' }>): void {
    if (step.kind === 'error') {
      this.emitError(step.error);
      return;
    }
    // End after the current response and its audio are done.
    const waitAndClose = (): void => {
      if (this.#closed) return;
      if (this.#active || this.#playing.size > 0) this.timers.set(waitAndClose, 50);
      else this.close('scenario_end');
    };
    this.timers.set(waitAndClose, 0);
  }
}
