/**
 * The time limits of a controlled call: its whole length (`maxDurationS`) and how long it may
 * sit idle (`idleTimeoutS`). The cost limit is checked after each `response.done` by the call.
 *
 * Idle means nobody is doing anything: no speech from the user, no response being generated or
 * played, no server tool running, and no other event for `idleTimeoutS`. A page that went away
 * without closing its peer connection looks exactly like that.
 */

/** Which limit fired. */
export type TimeLimit = 'max_duration' | 'idle_timeout';

/** Events that only describe the session, not activity in it. */
const NOT_ACTIVITY = new Set(['session.updated', 'session.created', 'rate_limits.updated', 'error']);

/** Tracks activity from the sideband events and fires `onLimit` once. */
export class CallTimers {
  readonly #idleMs: number | undefined;
  readonly #onLimit: (limit: TimeLimit) => void;
  #duration: ReturnType<typeof setTimeout> | undefined;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #userSpeaking = false;
  #audioPlaying = false;
  readonly #responses = new Set<string>();
  #tools = 0;
  #fired = false;

  /**
   * @param limits - seconds, each optional.
   * @param onLimit - called once, with the first limit reached.
   */
  constructor(limits: { maxDurationS?: number | undefined; idleTimeoutS?: number | undefined }, onLimit: (limit: TimeLimit) => void) {
    this.#idleMs = limits.idleTimeoutS === undefined ? undefined : limits.idleTimeoutS * 1000;
    this.#onLimit = onLimit;
    if (limits.maxDurationS !== undefined) this.#duration = setTimeout(() => this.#fire('max_duration'), limits.maxDurationS * 1000);
    this.#rearm();
  }

  /** Feeds one server event of the call. */
  event(type: string, event: { response?: { id?: unknown }; response_id?: unknown }): void {
    if (NOT_ACTIVITY.has(type)) return;
    if (type === 'input_audio_buffer.speech_started') this.#userSpeaking = true;
    else if (type === 'input_audio_buffer.speech_stopped' || type === 'input_audio_buffer.cleared') this.#userSpeaking = false;
    else if (type === 'output_audio_buffer.started') this.#audioPlaying = true;
    else if (type === 'output_audio_buffer.stopped' || type === 'output_audio_buffer.cleared') this.#audioPlaying = false;
    else if (type === 'response.created' && typeof event.response?.id === 'string') this.#responses.add(event.response.id);
    else if (type === 'response.done' && typeof event.response?.id === 'string') this.#responses.delete(event.response.id);
    this.#rearm();
  }

  /** A server tool started (`+1`) or ended (`-1`). */
  tool(delta: 1 | -1): void {
    this.#tools = Math.max(0, this.#tools + delta);
    this.#rearm();
  }

  /** Stops every timer. */
  close(): void {
    this.#fired = true;
    clearTimeout(this.#duration);
    clearTimeout(this.#idle);
  }

  #busy(): boolean {
    return this.#userSpeaking || this.#audioPlaying || this.#responses.size > 0 || this.#tools > 0;
  }

  #rearm(): void {
    clearTimeout(this.#idle);
    this.#idle = undefined;
    if (this.#fired || this.#idleMs === undefined || this.#busy()) return;
    this.#idle = setTimeout(() => this.#fire('idle_timeout'), this.#idleMs);
  }

  #fire(limit: TimeLimit): void {
    if (this.#fired) return;
    this.close();
    this.#onLimit(limit);
  }
}
