/** Content parts of conversation items (GA names). */
export type ContentPart =
  | { type: 'input_text'; text: string }
  | { type: 'input_audio'; transcript: string | null; audio?: string }
  | { type: 'input_image'; image_url?: string; detail?: string }
  | { type: 'output_text'; text: string }
  | { type: 'output_audio'; transcript: string; audio?: string };

/** Status of an item. */
export type ItemStatus = 'completed' | 'in_progress' | 'incomplete';

/** A message item. */
export interface MessageItem {
  id: string;
  type: 'message';
  status: ItemStatus;
  role: 'user' | 'assistant' | 'system';
  content: ContentPart[];
}

/** A function call made by the assistant. */
export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  name: string;
  call_id: string;
  arguments: string;
}

/** The client's answer to a function call. */
export interface FunctionCallOutputItem {
  id: string;
  type: 'function_call_output';
  status?: ItemStatus;
  call_id: string;
  output: string;
}

/** Any conversation item. */
export type ConversationItem = MessageItem | FunctionCallItem | FunctionCallOutputItem;

/**
 * The wire form of an item. `withObject` adds `object: "realtime.item"`,
 * which the service includes in `response.output_item.*` and
 * `conversation.item.retrieved` but not in `conversation.item.added/done`.
 */
export function wireItem(item: ConversationItem, withObject = false): Record<string, unknown> {
  const copy = structuredClone(item) as unknown as Record<string, unknown>;
  if (!withObject) return copy;
  const { id, ...rest } = copy;
  return { id, object: 'realtime.item', ...rest };
}
