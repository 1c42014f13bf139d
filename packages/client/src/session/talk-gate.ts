import type { MicControl } from '../audio/mic-control.js';
import type { Commands } from '../protocol/client-events.js';
import type { TurnTracker } from './turns.js';

/** A push-to-talk press shorter than this is a tap, not a turn (the server refuses to commit under 100 ms). */
const TAP_MS = 150;

/**
 * Whether the microphone sends: not while muted, and in push-to-talk only
 * while the button is held. Press and release drive the turn by hand.
 */
export class TalkGate {
  muted = false;
  /** Push-to-talk: turn detection off, the mic open only while held. */
  ptt: boolean;
  readonly #mic: MicControl;
  readonly #turns: TurnTracker;
  #pressedAt = 0;

  constructor(mic: MicControl, turns: TurnTracker, ptt: boolean) {
    this.#mic = mic;
    this.#turns = turns;
    this.ptt = ptt;
  }

  /** Applies the gate to the mic. */
  apply(): void {
    this.#mic.sending = !this.muted && (!this.ptt || this.#turns.talking);
  }

  /** Mutes or unmutes; true when that changed something. */
  setMuted(muted: boolean): boolean {
    const changed = muted !== this.muted;
    this.muted = muted;
    this.apply();
    return changed;
  }

  /** Press: cuts the assistant off, clears the input buffer and opens the mic. */
  press(commands: Commands): void {
    this.#turns.interrupt('push-to-talk');
    commands.clearInput();
    this.#pressedAt = performance.now();
    this.#turns.talking = true;
    this.apply();
    this.#turns.update();
  }

  /** Release: closes the mic and commits what was said; false for a tap (the input is cleared instead). */
  release(commands: Commands): boolean {
    this.#turns.talking = false;
    this.apply();
    this.#turns.update();
    if (performance.now() - this.#pressedAt < TAP_MS) {
      commands.clearInput();
      return false;
    }
    commands.commitInput();
    return true;
  }
}
