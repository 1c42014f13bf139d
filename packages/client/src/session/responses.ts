import type { Commands, ResponseOptions } from '../protocol/client-events.js';
import type { Signals } from './signals.js';

/** Event ids rtvoice gives the requests it may need to match with an `error`. */
let nextId = 0;
export const newEventId = (kind: string): string => `rtv_${kind}_${(nextId += 1)}`;

/**
 * Knows whether a response is active and sequences `response.create`: the
 * server rejects one while another response is active
 * (`conversation_already_has_active_response`), so requests are queued until
 * `response.done` and sent one at a time. Identical default requests coalesce:
 * two tool results finishing together cause one response.
 */
export class ResponseTracker {
  /** The response in progress, if any. */
  active: string | undefined;
  /** A `response.create` was sent and its `response.created` has not arrived. */
  #requested: string | undefined;
  readonly #queue: Array<ResponseOptions | undefined> = [];
  readonly #commands: () => Commands | undefined;

  constructor(signals: Signals, commands: () => Commands | undefined) {
    this.#commands = commands;
    signals.on('responseCreated', ({ responseId }) => {
      this.active = responseId;
      this.#requested = undefined;
    });
    signals.on('responseDone', () => {
      this.active = undefined;
      this.flush();
    });
    signals.on('serverError', (error) => {
      // Our last create, refused: matched by its event id (by the code alone while it is in flight, when the server echoes no id).
      const conflict = error.code === 'conversation_already_has_active_response';
      const sent = this.#sent;
      if (!sent || (error.event_id ? error.event_id !== sent.id : !(conflict && this.#requested))) return;
      this.#sent = this.#requested = undefined;
      // Refused because a response is (still) active: asked again after its response.done. Refused as invalid: dropped.
      if (conflict) this.#queue.unshift(sent.options);
      else this.flush();
    });
  }

  /** The last `response.create` sent. */
  #sent: { id: string; options: ResponseOptions | undefined } | undefined;

  /** True while a response is active or requested. */
  get busy(): boolean {
    return this.active !== undefined || this.#requested !== undefined;
  }

  /** Asks for a response now, or as soon as no response is active. */
  request(options?: ResponseOptions): void {
    if (options === undefined && this.#queue.includes(undefined)) return;
    this.#queue.push(options);
    this.flush();
  }

  /** Withdraws a request still waiting in the queue (it is no longer wanted). */
  withdraw(options: ResponseOptions): void {
    const i = this.#queue.indexOf(options);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  /** Sends the next queued request if nothing is active. */
  flush(): void {
    const commands = this.#commands();
    if (this.busy || !commands || this.#queue.length === 0) return;
    const options = this.#queue.shift();
    this.#requested = newEventId('response');
    this.#sent = { id: this.#requested, options };
    commands.createResponse(options, this.#requested);
  }

  /**
   * Forgets everything (new connection). Queued requests are kept unless
   * `dropQueue`, and so is one sent whose response never started: it went
   * down with the connection, it is asked again first.
   */
  reset(dropQueue: boolean): void {
    const lost = this.#requested !== undefined ? this.#sent : undefined;
    this.active = undefined;
    this.#requested = this.#sent = undefined;
    if (dropQueue) this.#queue.length = 0;
    else if (lost && !(lost.options === undefined && this.#queue.includes(undefined))) this.#queue.unshift(lost.options);
  }
}
