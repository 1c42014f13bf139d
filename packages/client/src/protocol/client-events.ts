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

/** Per-response options of `response.create` (PROTOCOL.md §4.2): instructions, tools, `conversation: 'none'`, … */
export type ResponseOptions = Record<string, unknown>;

/** A conversation item to (re)create, protocol-neutral. */
export type ItemInput =
  | { type: 'message'; id?: string; role: 'user' | 'assistant' | 'system'; text: string }
  | { type: 'function_call'; id?: string; callId: string; name: string; arguments: string }
  | { type: 'function_call_output'; id?: string; callId: string; output: string };

/**
 * Everything the session features ask of the server, independent of the wire
 * protocol. `createOpenAICommands` maps them to OpenAI Realtime client events;
 * a second protocol implements the same interface.
 */
export interface Commands {
  updateSession(config: SessionConfig): void;
  createResponse(options: ResponseOptions | undefined, eventId: string): void;
  cancelResponse(eventId: string): void;
  clearOutputAudio(): void;
  clearInput(): void;
  commitInput(): void;
  /** `eventId` comes back in the server's `error` if it refuses the item. */
  createItem(item: ItemInput, eventId?: string): void;
}

/** The OpenAI Realtime (GA) client events for each command; `send` delivers one event. */
export function createOpenAICommands(send: (event: ClientEvent) => void): Commands {
  return {
    updateSession: (config) => send(sessionUpdate(config)),
    createResponse: (options, eventId) => send({ ...responseCreate(options), event_id: eventId }),
    cancelResponse: (eventId) => send({ type: 'response.cancel', event_id: eventId }),
    clearOutputAudio: () => send({ type: 'output_audio_buffer.clear' }),
    clearInput: () => send({ type: 'input_audio_buffer.clear' }),
    commitInput: () => send({ type: 'input_audio_buffer.commit' }),
    createItem: (item, eventId) => send({ type: 'conversation.item.create', item: wireItem(item), ...(eventId !== undefined && { event_id: eventId }) }),
  };
}

function wireItem(item: ItemInput): Record<string, unknown> {
  const id = item.id === undefined ? {} : { id: item.id };
  if (item.type === 'function_call') return { ...id, type: item.type, call_id: item.callId, name: item.name, arguments: item.arguments };
  if (item.type === 'function_call_output') return { ...id, type: item.type, call_id: item.callId, output: item.output };
  const kind = item.role === 'assistant' ? 'output_text' : 'input_text';
  return { ...id, type: 'message', role: item.role, content: [{ type: kind, text: item.text }] };
}
