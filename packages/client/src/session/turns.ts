import type { Commands } from '../protocol/client-events.js';
import { newEventId, type ResponseTracker } from './responses.js';
import type { Signals } from './signals.js';

/** Who is speaking now. */
export type Speaker = 'user' | 'assistant' | 'none';

/** Payload of `interrupted`. */
export interface InterruptedEvent {
  /** `vad`: the server heard the user start speaking; `manual`: `interrupt()`; `push-to-talk`: `startTalking()`. */
  source: 'vad' | 'manual' | 'push-to-talk';
  /** The response that was cut off, if one was active. */
  responseId: string | undefined;
  /** The assistant message that was playing, if known. */
  itemId: string | undefined;
  /** How much of its audio had played, in ms (measured at the page). */
  audioEndMs: number;
}

/** What the turn logic needs from the session. */
export interface TurnHost {
  tracker: ResponseTracker;
  commands(): Commands | undefined;
  /** Silences (true) or restores (false) local playback at once. */
  silence(on: boolean): void;
  onSpeaking(who: Speaker): void;
  onInterrupted(e: InterruptedEvent): void;
}

/**
 * Who speaks, and barge-in. When the server's VAD hears the user while the
 * assistant's audio plays, local playback is silenced in the same task that
 * handles the event, `interrupted` is emitted, and the server is asked to stop
 * only what is still running: `response.cancel` while a response is active,
 * `output_audio_buffer.clear` while audio plays. Over WebRTC the server
 * truncates the item itself, so `conversation.item.truncate` is never sent.
 */
export class TurnTracker {
  readonly #host: TurnHost;
  #userSpeaking = false;
  /** Response whose audio the server is streaming, and since when (page clock). */
  #playing: { responseId: string | undefined; since: number } | undefined;
  #assistantItem: string | undefined;
  #speaker: Speaker = 'none';
  #silenced = false;
  /** The response already cut off (its response.done has not come yet). */
  #cut: string | undefined;
  /** False when the session's turn detection has `interrupt_response: false`. */
  #interruptOnSpeech = true;
  /** Push-to-talk: the user holds the talk button. */
  talking = false;

  constructor(signals: Signals, host: TurnHost) {
    this.#host = host;
    signals.on('speechStarted', () => {
      this.#userSpeaking = true;
      if (this.#interruptOnSpeech && (this.#playing || host.tracker.active)) this.interrupt('vad');
      this.#update();
    });
    signals.on('speechStopped', () => {
      this.#userSpeaking = false;
      this.#update();
    });
    signals.on('itemAdded', ({ item }) => {
      if (item.role === 'assistant' && item.type === 'message') this.#assistantItem = item.id;
    });
    // With `interrupt_response: false` the app wants speech over the answer not to cut it.
    signals.on('sessionUpdated', (session) => {
      const input = (session.audio as { input?: { turn_detection?: { interrupt_response?: boolean } | null } } | undefined)?.input;
      if (input && 'turn_detection' in input) this.#interruptOnSpeech = input.turn_detection?.interrupt_response !== false;
    });
    signals.on('responseCreated', () => {
      // A new response: the last answer's item is no longer the one playing.
      this.#assistantItem = undefined;
      this.#unsilence();
    });
    signals.on('audio', ({ state, responseId }) => {
      if (state === 'started') {
        this.#unsilence();
        this.#playing = { responseId, since: performance.now() };
      } else this.#playing = undefined;
      this.#update();
    });
  }

  /** Whether the assistant's audio is playing. */
  get playing(): boolean {
    return this.#playing !== undefined;
  }

  /** Who is speaking now. */
  get speaker(): Speaker {
    return this.#speaker;
  }

  /** Cuts the assistant off (local audio first, then the server). Returns false when there was nothing to interrupt. */
  interrupt(source: InterruptedEvent['source']): boolean {
    const host = this.#host;
    const active = host.tracker.active === this.#cut ? undefined : host.tracker.active;
    const playing = this.#playing;
    if (!active && !playing) return false;
    this.#cut = active;
    this.#silenced = true;
    host.silence(true);
    const commands = host.commands();
    if (active) commands?.cancelResponse(newEventId('cancel'));
    if (playing) commands?.clearOutputAudio();
    this.#playing = undefined;
    host.onInterrupted({
      source,
      responseId: active ?? playing?.responseId,
      itemId: this.#assistantItem,
      audioEndMs: playing ? Math.round(performance.now() - playing.since) : 0,
    });
    this.#update();
    return true;
  }

  /** Forgets the connection's turn state. */
  reset(): void {
    this.#userSpeaking = false;
    this.#playing = undefined;
    this.talking = false;
    this.#unsilence();
    this.#update();
  }

  /** Recomputes who speaks and reports a change. */
  update(): void {
    this.#update();
  }

  #unsilence(): void {
    if (!this.#silenced) return;
    this.#silenced = false;
    this.#host.silence(false);
  }

  #update(): void {
    const who: Speaker = this.#userSpeaking || this.talking ? 'user' : this.#playing ? 'assistant' : 'none';
    if (who === this.#speaker) return;
    this.#speaker = who;
    this.#host.onSpeaking(who);
  }
}
