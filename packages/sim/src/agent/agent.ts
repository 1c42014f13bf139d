import type { StoredItem } from '../session/conversation.js';
import type { RealtimeSession } from '../protocol/session-config.js';
import type { WireError } from '../protocol/wire-error.js';

/**
 * One step of a response plan. The response runner turns steps into the
 * service's event sequence.
 */
export type PlanStep =
  | {
      kind: 'message';
      /** Transcript (audio) or text (text modality). */
      text: string;
      /** 48 kHz mono s16 audio to play; ignored for text-only responses. */
      audio: Int16Array;
    }
  | { kind: 'function_call'; name: string; arguments: string }
  | { kind: 'wait'; ms: number }
  | { kind: 'error'; error: WireError }
  | { kind: 'end_session' };

/** What an agent answers for one response. */
export interface ResponsePlan {
  steps: PlanStep[];
}

/** Why a response is being generated. */
export type ResponseTrigger = 'turn_detected' | 'client' | 'idle_timeout' | 'connect';

/** What an agent sees when asked for a response. */
export interface AgentContext {
  /** The effective session configuration. */
  readonly session: RealtimeSession;
  /** The items the response sees (the conversation, or the response's own `input`). */
  readonly items: readonly StoredItem[];
  /** Instructions in force for this response. */
  readonly instructions: string;
  /** Output modality of this response. */
  readonly modality: 'audio' | 'text';
  /** What caused the response. */
  readonly trigger: ResponseTrigger;
}

/**
 * An agent decides the content of each response. The sim ships two: the
 * parrot (default) and the scenario runner.
 */
export interface Agent {
  /**
   * When true the session starts a response by itself when it opens (after
   * the client's first `session.update`, or 500 ms without one).
   */
  readonly greetsOnConnect?: boolean;
  /** Plans the next response. */
  respond(context: AgentContext): ResponsePlan;
}
