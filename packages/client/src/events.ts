import type { RtvoiceError } from './errors.js';
import type { RealtimeUsage, ServerEvent } from './protocol/server-events.js';
import type { ConnectionState } from './state.js';

/** Payload of `stateChange`. */
export interface StateChangeEvent {
  state: ConnectionState;
  previous: ConnectionState;
  /** Why the session failed, on moves to `failed`. */
  reason?: RtvoiceError;
}

/** Payload of `transcript`: one piece of what the user or the assistant said. */
export interface TranscriptEvent {
  role: 'user' | 'assistant';
  /** The conversation item the text belongs to. */
  itemId: string;
  /** The response that produced it (assistant only). */
  responseId?: string;
  /** The new text in this event (empty on a final event that adds nothing). */
  delta: string;
  /** All text of this item so far; on `final`, the whole transcript. */
  text: string;
  /** True once the item's transcript is complete. */
  final: boolean;
}

/** Payload of `speechStarted` / `speechStopped`: the server's VAD saw the user start or stop speaking. */
export interface SpeechEvent {
  /** The user item the speech goes into. */
  itemId: string;
  /** Position on the session's input audio timeline, in ms. */
  audioMs: number;
}

/** Payload of `agentAudio`: the server started, finished or cut off streaming the model's voice. */
export interface AgentAudioEvent {
  state: 'started' | 'stopped' | 'cleared';
  responseId: string | undefined;
}

/** Payload of `responseDone`. */
export interface ResponseDoneEvent {
  responseId: string;
  /** `completed`, `cancelled`, `failed` or `incomplete`. */
  status: string;
  /** For `cancelled`: `turn_detected` or `client_cancelled`; for `incomplete`: why. */
  reason: string | undefined;
  /** Token usage as reported by the service, when present. */
  usage: RealtimeUsage | undefined;
}

/** Payload of `metrics` for a successful `connect()`: where the time went, in ms. */
export interface ConnectMetrics {
  kind: 'connect';
  /** Token fetch (runs in parallel with the microphone). */
  tokenMs: number;
  /** `getUserMedia` (in parallel with the token). */
  micMs: number;
  /** From `connect()` to the data channel open: offer, SDP POST, ICE, DTLS, SCTP. */
  dataChannelOpenMs: number;
  /** From `connect()` to the server's `session.created`: the moment the session is `connected`. */
  totalMs: number;
}

/**
 * Every event a {@link VoiceSession} emits, with its payload. This map is the
 * one source of truth: `on()` is typed from it.
 */
export interface ClientEvents {
  /** The connection state changed. */
  stateChange: [change: StateChangeEvent];
  /** Every event the server sent, validated where rtvoice knows its type. */
  serverEvent: [event: ServerEvent];
  /** User or assistant speech as text, partial and final. */
  transcript: [event: TranscriptEvent];
  /** The server's VAD detected the start of user speech. */
  speechStarted: [event: SpeechEvent];
  /** The server's VAD detected the end of user speech. */
  speechStopped: [event: SpeechEvent];
  /** The model's audio started, stopped (fully played) or was cleared (interrupted). */
  agentAudio: [event: AgentAudioEvent];
  /** A response finished, with its status and usage. */
  responseDone: [event: ResponseDoneEvent];
  /** Timing measurements. */
  metrics: [metrics: ConnectMetrics];
  /** Something went wrong. Fatal errors also move the state to `failed`. */
  error: [error: RtvoiceError];
}
