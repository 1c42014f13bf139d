import type { TypedEmitter } from '../emitter.js';
import type { RealtimeErrorDetail } from '../errors.js';
import type { RealtimeUsage } from '../protocol/server-events.js';

/** A conversation item as the features see it, whatever the wire protocol. */
export interface ItemInfo {
  id: string;
  type: string;
  role?: string;
  status?: string;
  /** Text or transcript of the item's content, when the server sent it. */
  text?: string;
  callId?: string;
  name?: string;
  arguments?: string;
  output?: string;
}

/**
 * The plain internal events the session features (history, tools,
 * interruption, usage, metrics) are built on. The protocol layer turns wire
 * events into these; a second protocol only has to emit the same signals.
 */
export interface SessionSignals {
  sessionCreated: [session: Record<string, unknown>];
  sessionUpdated: [session: Record<string, unknown>];
  serverError: [error: RealtimeErrorDetail];
  speechStarted: [e: { itemId: string; audioMs: number }];
  speechStopped: [e: { itemId: string; audioMs: number }];
  inputCommitted: [e: { itemId: string; previousItemId: string | null | undefined }];
  itemAdded: [e: { item: ItemInfo; previousItemId: string | null | undefined }];
  itemTruncated: [e: { itemId: string; audioEndMs: number }];
  itemDeleted: [e: { itemId: string }];
  /** Text of a user or assistant item: a delta, or the final text (`final`), or a failed transcription (`failed`). */
  text: [e: { role: 'user' | 'assistant'; itemId: string; responseId?: string; delta: string; text: string; final: boolean; failed?: string }];
  /** `outOfBand`: outside the conversation (`conversation: 'none'`; the service says `conversation_id: null`). */
  responseCreated: [e: { responseId: string; outOfBand?: boolean }];
  responseDone: [e: { responseId: string; status: string; reason: string | undefined; usage: RealtimeUsage | undefined; metadata: Record<string, unknown> | undefined; outputIds: string[] }];
  functionCall: [e: { callId: string; name: string; arguments: string; itemId: string; responseId: string | undefined }];
  audio: [e: { state: 'started' | 'stopped' | 'cleared'; responseId: string | undefined }];
}

/** The bus the protocol layer emits on and the features listen to. */
export type Signals = TypedEmitter<SessionSignals>;
