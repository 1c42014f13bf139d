/*
 * Shared set-up for the session unit tests (src/**\/*.test.ts). Not part of the
 * package: outside src/, so it is neither built nor shipped.
 *
 * Tests run under happy-dom. The microphone is a fake getUserMedia, the model's
 * voice a fake <audio> element and stream, the network a FakeTransport per
 * connection. Nothing here waits on real time.
 */
import { afterEach, beforeEach, vi, type Mock } from 'vitest';
import type { ClientEvents, StateChangeEvent } from '../src/events.js';
import type { VoiceSessionOptions } from '../src/options.js';
import { VoiceSession } from '../src/session/voice-session.js';
import { FakeTransport, type FakeTransportOptions } from '../src/testing/fake-transport.js';

/** A media track: `stop()` ends it quietly; `endBySource()` is the device going away. */
export class FakeTrack extends EventTarget {
  readonly kind = 'audio';
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  constructor(readonly label = 'mic') {
    super();
  }
  stop(): void {
    this.readyState = 'ended';
  }
  endBySource(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

/** Installs a fake `navigator.mediaDevices`; every `getUserMedia` call opens a new FakeTrack. */
export function installMicrophone() {
  const tracks: FakeTrack[] = [];
  const getUserMedia = vi.fn(async (_constraints: MediaStreamConstraints) => {
    const track = new FakeTrack();
    tracks.push(track);
    return { getAudioTracks: () => [track] } as unknown as MediaStream;
  });
  Object.defineProperty(navigator, 'mediaDevices', {
    value: { getUserMedia, enumerateDevices: vi.fn(async () => []), addEventListener: vi.fn(), removeEventListener: vi.fn() },
    configurable: true,
  });
  return { tracks, getUserMedia };
}

/** An app-provided `<audio>` element stand-in: records what the session does to it. */
export function fakeAudioElement(): {
  autoplay: boolean;
  srcObject: unknown;
  play: Mock<() => Promise<void>>;
  pause: Mock<() => void>;
  remove: Mock<() => void>;
  setSinkId: Mock<(id: string) => Promise<undefined>>;
} {
  return {
    autoplay: false,
    srcObject: null as unknown,
    play: vi.fn(async () => undefined),
    pause: vi.fn(),
    remove: vi.fn(),
    setSinkId: vi.fn(async (_id: string) => undefined),
  };
}

/** The model's audio: a remote track in a stream, as the transport delivers them. */
export function remoteAudio() {
  const fake = new FakeTrack('remote');
  const track = fake as unknown as MediaStreamTrack & FakeTrack;
  const stream = { id: 'remote-stream', getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream;
  return { track, stream };
}

/** Records every payload of one session event. */
export function record<K extends keyof ClientEvents>(session: VoiceSession, type: K): Array<ClientEvents[K][0]> {
  const seen: Array<ClientEvents[K][0]> = [];
  session.on(type, ((payload: ClientEvents[K][0]) => seen.push(payload)) as never);
  return seen;
}

export const CALLS_URL = 'https://rt.test/v1/realtime/calls';

export interface Harness {
  session: VoiceSession;
  /** Every transport the session created, in order. */
  transports: FakeTransport[];
  /** The last transport created. */
  readonly fake: FakeTransport;
  factory: ReturnType<typeof vi.fn>;
  getToken: ReturnType<typeof vi.fn>;
  element: ReturnType<typeof fakeAudioElement>;
  states: StateChangeEvent[];
  errors: Array<ClientEvents['error'][0]>;
  /** The states the session went through. */
  sequence(): string[];
}

/**
 * A session on fake transports (a new one per connection, like the real
 * factory). `transport` options apply to every transport; `nextTransports`
 * gives the options of the next ones, in order.
 */
export function createSession(
  options: Partial<VoiceSessionOptions> = {},
  fakeOptions: { transport?: FakeTransportOptions; nextTransports?: FakeTransportOptions[] } = {},
): Harness {
  const transports: FakeTransport[] = [];
  const queue = [...(fakeOptions.nextTransports ?? [])];
  const factory = vi.fn(() => {
    const t = new FakeTransport(queue.shift() ?? fakeOptions.transport ?? {});
    transports.push(t);
    return t;
  });
  const element = fakeAudioElement();
  const getToken = vi.fn(async (_signal: AbortSignal) => ({ value: 'ek_test', callsUrl: CALLS_URL }));
  const session = new VoiceSession({
    ...(options.tokenUrl === undefined && options.callUrl === undefined && { getToken }),
    transport: factory,
    audioElement: element as unknown as HTMLAudioElement,
    logLevel: 'silent', // tests that check logging set their own
    ...options,
  });
  const states = record(session, 'stateChange');
  const errors = record(session, 'error');
  return {
    session,
    transports,
    get fake() {
      const t = transports.at(-1);
      if (!t) throw new Error('no transport was created yet');
      return t;
    },
    factory,
    getToken,
    element,
    states,
    errors,
    sequence: () => states.map((s) => s.state),
  };
}

/** Lets pending promise callbacks run (no timers move). */
export async function flush(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
}

/** The client events sent on a transport, without their generated `event_id`s, for exact comparisons. */
export function sentTypes(fake: FakeTransport): string[] {
  return fake.sent.map((e) => e.type);
}

/** A promise you settle from the test. */
export function deferred<T = unknown>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets promise callbacks run until `condition` holds (no timers move); throws if it never does. */
export async function until(condition: () => boolean, rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (condition()) return;
    await Promise.resolve();
  }
  throw new Error('until(): the condition never held');
}

/**
 * Registers the hooks every session test file needs: a fake microphone and
 * fake timers per test. Returns a getter for the current test's microphone.
 */
export function useFakeMicAndTimers(): () => ReturnType<typeof installMicrophone> {
  let mic: ReturnType<typeof installMicrophone>;
  beforeEach(() => {
    mic = installMicrophone();
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  return () => mic;
}
