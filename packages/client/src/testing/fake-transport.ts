import { TypedEmitter } from '../emitter.js';
import { RtvoiceError } from '../errors.js';
import type { Transport, TransportConnectParams, TransportEvents, TransportState } from '../transport/transport.js';

/** Options of {@link FakeTransport}. */
export interface FakeTransportOptions {
  /** Send `session.created` right after `connect()` resolves, as the real service does. Default `true`. */
  autoSessionCreated?: boolean;
  /** Make `connect()` fail with this error instead. */
  failWith?: RtvoiceError;
  /** Keep `connect()` pending until `open()` is called. Default `false`. */
  manualOpen?: boolean;
}

/**
 * An in-memory {@link Transport} for testing code built on rtvoice without a
 * network or a browser's WebRTC: it records what the session sends and lets
 * the test play the server.
 *
 * @example
 * ```ts
 * import { VoiceSession } from '@rtvoice/client';
 * import { FakeTransport } from '@rtvoice/client/testing';
 *
 * const fake = new FakeTransport();
 * const session = new VoiceSession({ getToken: async () => 'ek_test', mediaStream, transport: () => fake });
 * await session.connect();
 * fake.receive({ type: 'response.output_audio_transcript.delta', response_id: 'r', item_id: 'i', delta: 'Hi' });
 * ```
 */
export class FakeTransport implements Transport {
  #state: TransportState = 'idle';
  readonly #events = new TypedEmitter<TransportEvents>((error) => queueMicrotask(() => { throw error; }));
  readonly #options: FakeTransportOptions;
  #open: (() => void) | undefined;
  /** open() came before connect(): the connection opens as soon as it is attempted. */
  #openEarly = false;
  /** Every frame the session sent, parsed. */
  readonly sent: Array<{ type: string; [field: string]: unknown }> = [];
  /** The parameters of the last `connect()`. */
  connectParams: TransportConnectParams | undefined;
  /** How many times `close()` was called. */
  closeCalls = 0;
  /** Every track passed to `setMic()` (after `connect()`), in order. */
  readonly micChanges: Array<MediaStreamTrack | null> = [];
  /** The mic given to `prepare()`, when it was called. */
  preparedMic: MediaStreamTrack | null | undefined;
  #serial = 0;
  /** The last item announced with `conversation.item.added`: scripted turns go after it, as on the real service. */
  #last: string | null = null;
  #openResponse: { id: string; itemId: string; audio: boolean } | undefined;

  constructor(options: FakeTransportOptions = {}) {
    this.#options = options;
  }

  get state(): TransportState {
    return this.#state;
  }

  on<K extends keyof TransportEvents>(type: K, listener: (...args: TransportEvents[K]) => void): () => void {
    return this.#events.on(type, listener as never);
  }

  async connect(params: TransportConnectParams, signal: AbortSignal): Promise<void> {
    // Like a real transport, one connection per instance.
    if (this.#state !== 'idle') throw new RtvoiceError('invalid_state', `connect() called on a ${this.#state} transport.`);
    this.connectParams = params;
    this.#state = 'connecting';
    if (this.#options.failWith) {
      this.#state = 'closed';
      throw this.#options.failWith;
    }
    // Like a real transport, opening takes at least one turn of the event loop, during which
    // the caller may abort.
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new RtvoiceError('aborted', 'The connection attempt was cancelled.'));
      signal.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      if (this.#options.manualOpen && !this.#openEarly) this.#open = done;
      else queueMicrotask(done);
    }).catch((error: unknown) => {
      this.#state = 'closed';
      throw error;
    });
    if (signal.aborted) {
      this.#state = 'closed';
      throw new RtvoiceError('aborted', 'The connection attempt was cancelled.');
    }
    this.#state = 'open';
    if (this.#options.autoSessionCreated ?? true) {
      queueMicrotask(() => this.receive({ type: 'session.created', event_id: 'event_fake', session: { type: 'realtime' } }));
    }
  }

  async prepare(mic: MediaStreamTrack | null): Promise<void> {
    this.preparedMic = mic;
  }

  async setMic(track: MediaStreamTrack | null): Promise<void> {
    this.micChanges.push(track);
  }

  /** With `manualOpen`: lets the pending `connect()` finish (or the next one, when none is pending yet). */
  open(): void {
    if (this.#open) this.#open();
    else this.#openEarly = true;
  }

  send(data: string): void {
    if (this.#state !== 'open') throw new RtvoiceError('invalid_state', `Cannot send: the transport is ${this.#state}.`);
    this.sent.push(JSON.parse(data) as { type: string });
  }

  close(): void {
    this.closeCalls += 1;
    this.#state = 'closed';
  }

  /** Plays the server: delivers one event (an object is serialised; a string is sent as is, malformed or not). */
  receive(event: object | string): void {
    const item = (event as { type?: string; item?: { id?: string } }).item;
    if ((event as { type?: string }).type === 'conversation.item.added' && typeof item?.id === 'string') this.#last = item.id;
    this.#events.emit('message', typeof event === 'string' ? event : JSON.stringify(event));
  }

  /** Simulates the remote audio track arriving. */
  remoteTrack(track: MediaStreamTrack, stream: MediaStream): void {
    this.#events.emit('remoteTrack', track, stream);
  }

  /** Simulates the connection dropping by itself. */
  drop(reason = new RtvoiceError('data_channel_closed', 'The data channel closed.')): void {
    this.#state = 'closed';
    this.#events.emit('closed', reason);
  }

  /** The client events of one type the session sent, in order. */
  sentOfType(type: string): Array<{ type: string; [field: string]: unknown }> {
    return this.sent.filter((e) => e.type === type);
  }

  /**
   * Plays a spoken user turn as the server's VAD reports it: speech started
   * and stopped, the buffer committed, the user item added, and (unless
   * `transcript` is `null`) its transcription. Returns the user item's id.
   */
  userTurn(transcript: string | null = 'Hello.', itemId = this.#id('item_user')): string {
    this.receive({ type: 'input_audio_buffer.speech_started', event_id: this.#id('event'), audio_start_ms: 0, item_id: itemId });
    this.receive({ type: 'input_audio_buffer.speech_stopped', event_id: this.#id('event'), audio_end_ms: 1000, item_id: itemId });
    const previous = this.#last;
    this.receive({ type: 'input_audio_buffer.committed', event_id: this.#id('event'), item_id: itemId, previous_item_id: previous });
    this.receive({
      type: 'conversation.item.added',
      event_id: this.#id('event'),
      previous_item_id: previous,
      item: { id: itemId, type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_audio', transcript: null }] },
    });
    if (transcript !== null) {
      this.receive({ type: 'conversation.item.input_audio_transcription.completed', event_id: this.#id('event'), item_id: itemId, content_index: 0, transcript });
    }
    return itemId;
  }

  /**
   * Plays an assistant answer: response created, audio started, the text in
   * word-sized transcript deltas, then (unless `complete: false`) the done
   * events, `response.done` with `usage`, and the audio buffer stopped.
   * Returns the response id.
   */
  assistantTurn(text: string, options: { complete?: boolean; usage?: Record<string, unknown>; audio?: boolean } = {}): string {
    const id = this.#id('resp');
    const itemId = this.#id('item_assistant');
    const audio = options.audio ?? true;
    this.#openResponse = { id, itemId, audio };
    this.receive({ type: 'response.created', event_id: this.#id('event'), response: { id, status: 'in_progress', output: [] } });
    this.receive({
      type: 'conversation.item.added',
      event_id: this.#id('event'),
      previous_item_id: this.#last,
      item: { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] },
    });
    if (audio) this.receive({ type: 'output_audio_buffer.started', event_id: this.#id('event'), response_id: id });
    for (const delta of text.match(/\S+\s*/g) ?? []) {
      this.receive({ type: 'response.output_audio_transcript.delta', event_id: this.#id('event'), response_id: id, item_id: itemId, content_index: 0, delta });
    }
    if (options.complete === false) return id;
    this.receive({ type: 'response.output_audio_transcript.done', event_id: this.#id('event'), response_id: id, item_id: itemId, content_index: 0, transcript: text });
    this.#done('completed', undefined, options.usage ?? DEFAULT_USAGE, [{ id: itemId, type: 'message', role: 'assistant', status: 'completed' }]);
    if (audio) this.receive({ type: 'output_audio_buffer.stopped', event_id: this.#id('event'), response_id: id });
    return id;
  }

  /** Plays a response that calls a tool: the function call item, its arguments, `response.done`. Returns the `call_id`. */
  toolCall(name: string, args: unknown = {}, callId = this.#id('call')): string {
    const id = this.#id('resp');
    const itemId = this.#id('item_fc');
    const json = typeof args === 'string' ? args : JSON.stringify(args);
    this.#openResponse = { id, itemId, audio: false };
    this.receive({ type: 'response.created', event_id: this.#id('event'), response: { id, status: 'in_progress', output: [] } });
    this.receive({
      type: 'conversation.item.added',
      event_id: this.#id('event'),
      previous_item_id: this.#last,
      item: { id: itemId, type: 'function_call', status: 'in_progress', call_id: callId, name, arguments: '' },
    });
    this.receive({ type: 'response.function_call_arguments.done', event_id: this.#id('event'), response_id: id, item_id: itemId, output_index: 0, call_id: callId, name, arguments: json });
    this.#done('completed', undefined, DEFAULT_USAGE, [{ id: itemId, type: 'function_call', call_id: callId, name, arguments: json }]);
    return callId;
  }

  /**
   * Plays a barge-in as the service does over WebRTC: the user starts
   * speaking, and an answer still open (`assistantTurn(…, { complete: false })`)
   * ends cancelled with `turn_detected` and its audio cleared.
   */
  bargeIn(itemId = this.#id('item_user')): string {
    this.receive({ type: 'input_audio_buffer.speech_started', event_id: this.#id('event'), audio_start_ms: 0, item_id: itemId });
    const open = this.#openResponse;
    if (open) {
      this.#done('cancelled', 'turn_detected', DEFAULT_USAGE, [{ id: open.itemId, type: 'message', role: 'assistant', status: 'incomplete' }]);
      if (open.audio) this.receive({ type: 'output_audio_buffer.cleared', event_id: this.#id('event'), response_id: open.id });
    }
    return itemId;
  }

  #done(status: string, reason: string | undefined, usage: Record<string, unknown>, output: object[]): void {
    const open = this.#openResponse;
    if (!open) return;
    this.#openResponse = undefined;
    this.receive({
      type: 'response.done',
      event_id: this.#id('event'),
      response: { id: open.id, status, status_details: reason ? { type: status, reason } : null, output, usage },
    });
  }

  #id(prefix: string): string {
    this.#serial += 1;
    return `${prefix}_fake${this.#serial}`;
  }
}

/** Usage reported by scripted responses unless a test gives its own. */
const DEFAULT_USAGE = {
  total_tokens: 300,
  input_tokens: 100,
  output_tokens: 200,
  input_token_details: { text_tokens: 40, audio_tokens: 60, image_tokens: 0, cached_tokens: 0 },
  output_token_details: { text_tokens: 50, audio_tokens: 150 },
};
