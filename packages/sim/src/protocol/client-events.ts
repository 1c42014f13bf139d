import { z } from 'zod';
import { realtimeSessionInput, toolsInput } from './session-schema.js';

/**
 * Zod schemas of the GA client events (SPEC `RealtimeClientEvent*`).
 * Objects are strict: an unknown key is an `unknown_parameter` error, as on
 * the service.
 */

const eventId = z.string().max(512).optional();

const contentPart = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('input_text'), text: z.string() }),
  z.strictObject({ type: z.literal('input_audio'), audio: z.string().optional(), transcript: z.string().nullable().optional() }),
  z.strictObject({
    type: z.literal('input_image'),
    image_url: z.string().optional(),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
  z.strictObject({ type: z.literal('output_text'), text: z.string() }),
  z.strictObject({ type: z.literal('output_audio'), audio: z.string().optional(), transcript: z.string().optional() }),
  z.strictObject({ type: z.literal('text'), text: z.string() }),
  z.strictObject({ type: z.literal('audio'), audio: z.string().optional(), transcript: z.string().optional() }),
]);

/** Items a client may create. */
export const itemInput = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('message'),
    id: z.string().optional(),
    object: z.literal('realtime.item').optional(),
    status: z.enum(['completed', 'incomplete', 'in_progress']).optional(),
    role: z.enum(['user', 'assistant', 'system']),
    content: z.array(contentPart),
  }),
  z.strictObject({
    type: z.literal('function_call'),
    id: z.string().optional(),
    object: z.literal('realtime.item').optional(),
    status: z.enum(['completed', 'incomplete', 'in_progress']).optional(),
    name: z.string(),
    call_id: z.string(),
    arguments: z.string(),
  }),
  z.strictObject({
    type: z.literal('function_call_output'),
    id: z.string().optional(),
    object: z.literal('realtime.item').optional(),
    status: z.enum(['completed', 'incomplete', 'in_progress']).optional(),
    call_id: z.string(),
    output: z.string(),
  }),
]);

/** A parsed client item. */
export type ItemInput = z.infer<typeof itemInput>;

const responseInputEntry = z.union([z.strictObject({ type: z.literal('item_reference'), id: z.string() }), itemInput]);

/** `response.create` `response` parameters (SPEC `RealtimeResponseCreateParams`). */
export const responseParamsInput = z.strictObject({
  output_modalities: z.array(z.enum(['audio', 'text'])).min(1).max(1).optional(),
  instructions: z.string().optional(),
  audio: z
    .strictObject({
      output: z
        .strictObject({
          format: z.looseObject({ type: z.string() }).optional(),
          voice: z.union([z.string(), z.strictObject({ id: z.string() })]).optional(),
        })
        .optional(),
    })
    .optional(),
  tools: toolsInput.optional(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().optional(),
  reasoning: z.unknown().optional(),
  max_output_tokens: z.union([z.number().int().min(1).max(4096), z.literal('inf')]).optional(),
  conversation: z.union([z.literal('auto'), z.literal('none'), z.string()]).optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  prompt: z.unknown().optional(),
  input: z.array(responseInputEntry).optional(),
});

/** Parsed `response.create` parameters. */
export type ResponseParamsInput = z.infer<typeof responseParamsInput>;

/** Every GA client event, discriminated by `type`. */
export const clientEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('session.update'), event_id: eventId, session: realtimeSessionInput }),
  z.strictObject({ type: z.literal('input_audio_buffer.append'), event_id: eventId, audio: z.string() }),
  z.strictObject({ type: z.literal('input_audio_buffer.commit'), event_id: eventId }),
  z.strictObject({ type: z.literal('input_audio_buffer.clear'), event_id: eventId }),
  z.strictObject({ type: z.literal('output_audio_buffer.clear'), event_id: eventId }),
  z.strictObject({
    type: z.literal('conversation.item.create'),
    event_id: eventId,
    previous_item_id: z.string().nullable().optional(),
    item: itemInput,
  }),
  z.strictObject({ type: z.literal('conversation.item.retrieve'), event_id: eventId, item_id: z.string() }),
  z.strictObject({
    type: z.literal('conversation.item.truncate'),
    event_id: eventId,
    item_id: z.string(),
    content_index: z.number().int().min(0),
    audio_end_ms: z.number().int().min(0),
  }),
  z.strictObject({ type: z.literal('conversation.item.delete'), event_id: eventId, item_id: z.string() }),
  z.strictObject({ type: z.literal('response.create'), event_id: eventId, response: responseParamsInput.optional() }),
  z.strictObject({ type: z.literal('response.cancel'), event_id: eventId, response_id: z.string().optional() }),
]);

/** A parsed GA client event. */
export type ClientEvent = z.infer<typeof clientEvent>;

/** Every client event type the sim understands (GA names). */
export const CLIENT_EVENT_TYPES: readonly string[] = clientEvent.options.map((o) => o.shape.type.value);
