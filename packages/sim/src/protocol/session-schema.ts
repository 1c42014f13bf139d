import { z } from 'zod';

/**
 * Zod schemas of the GA session configuration a client may send in
 * `session.update` and `POST /v1/realtime/client_secrets` (SPEC
 * `RealtimeSessionCreateRequestGA`). Objects are strict so an unknown key is
 * reported as `unknown_parameter`, as the service does.
 */

const audioFormat = z.union([
  z.strictObject({ type: z.literal('audio/pcm'), rate: z.literal(24000).optional() }),
  z.strictObject({ type: z.literal('audio/pcmu') }),
  z.strictObject({ type: z.literal('audio/pcma') }),
]);

const serverVad = z.strictObject({
  type: z.literal('server_vad'),
  threshold: z.number().min(0).max(1).optional(),
  prefix_padding_ms: z.number().int().min(0).optional(),
  silence_duration_ms: z.number().int().min(0).optional(),
  idle_timeout_ms: z.number().int().min(5000).max(30000).nullable().optional(),
  create_response: z.boolean().optional(),
  interrupt_response: z.boolean().optional(),
});

const semanticVad = z.strictObject({
  type: z.literal('semantic_vad'),
  eagerness: z.enum(['low', 'medium', 'high', 'auto']).optional(),
  create_response: z.boolean().optional(),
  interrupt_response: z.boolean().optional(),
  model_version: z.string().optional(),
});

/** `audio.input.turn_detection` as sent by a client. */
export const turnDetectionInput = z.discriminatedUnion('type', [serverVad, semanticVad]).nullable();

const transcription = z
  .strictObject({
    model: z.string().optional(),
    language: z.string().optional(),
    languages: z.array(z.string()).optional(),
    prompt: z.string().optional(),
    keywords: z.array(z.string()).optional(),
  })
  .nullable();

const noiseReduction = z.strictObject({ type: z.enum(['near_field', 'far_field']) }).nullable();

const voice = z.union([z.string(), z.strictObject({ id: z.string() })]);

const functionTool = z.strictObject({
  type: z.literal('function'),
  name: z.string(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

/** MCP and future tool types are accepted as is. */
const otherTool = z.looseObject({ type: z.string().refine((t) => t !== 'function') });

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.strictObject({ type: z.literal('function'), name: z.string() }),
  z.looseObject({ type: z.literal('mcp'), server_label: z.string() }),
]);

const maxOutputTokens = z.union([z.number().int().min(1).max(4096), z.literal('inf')]);

const truncation = z.union([
  z.enum(['auto', 'disabled']),
  z.looseObject({ type: z.literal('retention_ratio'), retention_ratio: z.number() }),
]);

const tracing = z.union([
  z.literal('auto'),
  z.strictObject({
    workflow_name: z.string().optional(),
    group_id: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  }),
  z.null(),
]);

/** `tools` list. */
export const toolsInput = z.array(z.union([functionTool, otherTool]));

/** The audio block (`session.audio`). */
const audioInput = z.strictObject({
  input: z
    .strictObject({
      format: audioFormat.optional(),
      transcription: transcription.optional(),
      noise_reduction: noiseReduction.optional(),
      turn_detection: turnDetectionInput.optional(),
    })
    .optional(),
  output: z
    .strictObject({
      format: audioFormat.optional(),
      voice: voice.optional(),
      speed: z.number().min(0.25).max(1.5).optional(),
    })
    .optional(),
});

/** A GA realtime session configuration (all fields optional except `type`). */
export const realtimeSessionInput = z.strictObject({
  type: z.literal('realtime'),
  model: z.string().optional(),
  output_modalities: z.array(z.enum(['audio', 'text'])).min(1).max(1).optional(),
  instructions: z.string().optional(),
  audio: audioInput.optional(),
  include: z.array(z.literal('item.input_audio_transcription.logprobs')).nullable().optional(),
  tracing: tracing.optional(),
  tools: toolsInput.optional(),
  tool_choice: toolChoice.optional(),
  max_output_tokens: maxOutputTokens.optional(),
  truncation: truncation.optional(),
  prompt: z.looseObject({ id: z.string() }).nullable().optional(),
  parallel_tool_calls: z.boolean().optional(),
  reasoning: z.looseObject({ effort: z.string().optional() }).nullable().optional(),
});

/** Parsed client session configuration. */
export type RealtimeSessionInput = z.infer<typeof realtimeSessionInput>;
/** Parsed `turn_detection` value. */
export type TurnDetectionInput = z.infer<typeof turnDetectionInput>;

/** Body of `POST /v1/realtime/client_secrets`. */
export const clientSecretRequest = z.strictObject({
  expires_after: z
    .strictObject({
      anchor: z.literal('created_at').optional(),
      seconds: z.number().int().min(10).max(7200).optional(),
    })
    .optional(),
  session: realtimeSessionInput.optional(),
});
