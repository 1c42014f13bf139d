import type { AudioDevices } from './audio/devices.js';
import type { RtvoiceError } from './errors.js';
import type { RealtimeUsage, ServerEvent } from './protocol/server-events.js';
import type { HistoryItem } from './session/history.js';
import type { ConnectMetrics, TurnMetrics } from './session/metrics.js';
import type { InterruptedEvent, Speaker } from './session/turns.js';
import type { UsageTotals } from './session/usage.js';
import type { ConnectionState } from './state.js';
import type { ToolCallEvent, ToolErrorEvent, ToolResultEvent } from './tools/tool-runner.js';

/** Payload of `historyChange`. */
export interface HistoryChangeEvent {
  /** The whole conversation, as `session.history` returns it. */
  history: HistoryItem[];
  /** The entry that changed (absent when entries were removed or the history was cleared). */
  item?: HistoryItem;
}

/** Payload of `speaking`. */
export interface SpeakingEvent {
  /** Who is speaking now. */
  who: Speaker;
}


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
  /** On a final user transcript: the transcription failed (the reason); `text` is what arrived before, often empty. */
  failed?: string;
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
  /** Metadata given with `createResponse()`, echoed by the service. */
  metadata: Record<string, unknown> | undefined;
  /** Ids of the items the response produced. */
  outputIds: string[];
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
  /** The conversation changed (see `session.history`). */
  historyChange: [event: HistoryChangeEvent];
  /** The model called one of your tools; `execute` is running. */
  toolCall: [event: ToolCallEvent];
  /** A tool finished; its output went back to the model. */
  toolResult: [event: ToolResultEvent];
  /** A tool threw, timed out or was unknown (`tool_failed` / `tool_timeout`); the model was told. */
  toolError: [event: ToolErrorEvent];
  /** The assistant was cut off: local audio is already silent. */
  interrupted: [event: InterruptedEvent];
  /** Who is speaking changed: the user, the assistant, or nobody. */
  speaking: [event: SpeakingEvent];
  /** `mute()` or `unmute()` changed whether the microphone is sent. */
  muteChange: [event: { muted: boolean }];
  /** Token totals and cost after each response. */
  usage: [usage: UsageTotals];
  /** Timing of a connection or of a turn. */
  metrics: [metrics: ConnectMetrics | TurnMetrics];
  /** Audio devices were plugged or unplugged (while a session is live). */
  devicechange: [devices: AudioDevices];
  /** Something went wrong. Fatal errors also move the state to `failed`. */
  error: [error: RtvoiceError];
}
