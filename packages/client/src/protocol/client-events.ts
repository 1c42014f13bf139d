/**
 * A Realtime client event, sent as one JSON text frame on the `oai-events`
 * channel. `type` is required; everything else depends on the type
 * (PROTOCOL.md §4.2).
 */
export interface ClientEvent {
  type: string;
  event_id?: string;
  [field: string]: unknown;
}

/** A GA session configuration as sent in `session.update` (PROTOCOL.md §4.4). */
export interface SessionConfig {
  type?: 'realtime' | 'transcription';
  instructions?: string;
  output_modalities?: Array<'audio' | 'text'>;
  audio?: {
    input?: { turn_detection?: Record<string, unknown> | null; transcription?: Record<string, unknown> | null; [k: string]: unknown };
    output?: { voice?: string; speed?: number; [k: string]: unknown };
  };
  tools?: Array<Record<string, unknown>>;
  tool_choice?: string | Record<string, unknown>;
  [field: string]: unknown;
}

/** `session.update` with a GA session (the `type` defaults to `realtime`). */
export function sessionUpdate(session: SessionConfig): ClientEvent {
  return { type: 'session.update', session: { type: 'realtime', ...session } };
}

/** A user text message followed by nothing: pair it with {@link responseCreate} to get an answer. */
export function userTextItem(text: string): ClientEvent {
  return {
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  };
}

/** `response.create`, optionally with per-response overrides. */
export function responseCreate(response?: Record<string, unknown>): ClientEvent {
  return response ? { type: 'response.create', response } : { type: 'response.create' };
}
