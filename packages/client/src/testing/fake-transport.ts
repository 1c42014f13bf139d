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
  /** Every frame the session sent, parsed. */
  readonly sent: Array<{ type: string; [field: string]: unknown }> = [];
  /** The parameters of the last `connect()`. */
  connectParams: TransportConnectParams | undefined;
  /** How many times `close()` was called. */
  closeCalls = 0;

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
      if (this.#options.manualOpen) this.#open = done;
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

  /** With `manualOpen`: lets the pending `connect()` finish. */
  open(): void {
    this.#open?.();
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
}
