import { vi } from 'vitest';
import type { Agent } from '../agent/agent.js';
import { ParrotAgent } from '../agent/parrot.js';
import { defaultSession, mergeSession, type RealtimeSession } from '../protocol/session-config.js';
import type { RealtimeSessionInput } from '../protocol/session-schema.js';
import { handleClientMessage } from '../session/client-events.js';
import type { AudioDelivery } from '../session/response-runner.js';
import { type SessionTransport, SimSession } from '../session/session.js';
import { frames } from './signals.js';

/** A server event as sent by the session under test. */
// Test events are loosely typed on purpose: assertions check their shape.
export type SentEvent = { type: string; event_id: string; [key: string]: any };

/**
 * Drives a {@link SimSession} without WebRTC: events are captured, input
 * audio is fed in 10 ms frames, and for each 10 ms the output queue is pulled
 * once and fake timers advance 10 ms. Call `vi.useFakeTimers()` first.
 */
export class SessionHarness {
  readonly sent: SentEvent[] = [];
  readonly session: SimSession;
  /** RMS-free record of output frames: true when the frame had non-zero audio. */
  readonly outputVoiced: boolean[] = [];
  transportClosed = false;
  /** The session's main connection (pass it to {@link client} as the sender). */
  readonly transport: SessionTransport = {
    send: (text) => this.sent.push(JSON.parse(text) as SentEvent),
    close: () => {
      this.transportClosed = true;
    },
  };

  constructor(
    update: Partial<RealtimeSessionInput> = {},
    agent: Agent = new ParrotAgent(),
    generationSpeed = 2,
    audioDelivery: AudioDelivery = 'track',
  ) {
    const config: RealtimeSession = mergeSession(defaultSession('sess_harness', 0), { type: 'realtime', ...update });
    this.session = new SimSession({
      config,
      agent,
      generationSpeed,
      audioDelivery,
      transport: this.transport,
    });
    this.session.open();
  }

  /** Event types sent so far. */
  types(from = 0): string[] {
    return this.sent.slice(from).map((e) => e.type);
  }

  /** The first event of a type (throws when there is none). */
  first(type: string): SentEvent {
    const found = this.ofType(type)[0];
    if (!found) throw new Error(`no ${type} event`);
    return found;
  }

  /** Events of one type. */
  ofType(type: string): SentEvent[] {
    return this.sent.filter((e) => e.type === type);
  }

  /** Sends a client event (as JSON text, like the data channel), optionally from a given connection. */
  client(event: Record<string, unknown> | string, from?: SessionTransport): void {
    handleClientMessage(this.session, typeof event === 'string' ? event : JSON.stringify(event), from);
  }

  /** Feeds 16 kHz audio in real time (10 ms per frame). */
  async feed(audio: Int16Array): Promise<void> {
    for (const f of frames(audio)) {
      this.session.pushAudio(f);
      await this.tick();
    }
  }

  /** Lets `ms` of time pass with silence on the input. */
  async idle(ms: number, withInput = true): Promise<void> {
    const silent = new Int16Array(160);
    for (let t = 0; t < ms; t += 10) {
      if (withInput) this.session.pushAudio(silent);
      await this.tick();
    }
  }

  async tick(): Promise<void> {
    const frame = this.session.output.nextFrame();
    this.outputVoiced.push(frame !== null && frame.some((s) => s !== 0));
    await vi.advanceTimersByTimeAsync(10);
  }
}
