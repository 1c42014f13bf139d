import { z } from 'zod';
import { toolsInput } from './session-schema.js';

/**
 * Zod schemas of the beta (pre-GA) session shape: a flat object with
 * `modalities`, `voice`, `input_audio_format`, `input_audio_transcription`,
 * `turn_detection` at the root (NODE beta `sessions.ts`). Strict, so that
 * e.g. `input_audio_transcription.enabled` is `unknown_parameter` as in the
 * recorded beta error.
 */

const betaFormat = z.enum(['pcm16', 'g711_ulaw', 'g711_alaw']);

const betaTurnDetection = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('server_vad'),
      threshold: z.number().min(0).max(1).optional(),
      prefix_padding_ms: z.number().int().min(0).optional(),
      silence_duration_ms: z.number().int().min(0).optional(),
      create_response: z.boolean().optional(),
      interrupt_response: z.boolean().optional(),
    }),
    z.strictObject({
      type: z.literal('semantic_vad'),
      eagerness: z.enum(['low', 'medium', 'high', 'auto']).optional(),
      create_response: z.boolean().optional(),
      interrupt_response: z.boolean().optional(),
    }),
  ])
  .nullable();

/** A beta session configuration (`session.update`, `POST /v1/realtime/sessions`). */
export const betaSessionInput = z.strictObject({
  model: z.string().optional(),
  modalities: z.array(z.enum(['text', 'audio'])).min(1).optional(),
  instructions: z.string().optional(),
  voice: z.string().optional(),
  input_audio_format: betaFormat.optional(),
  output_audio_format: betaFormat.optional(),
  input_audio_transcription: z
    .strictObject({ model: z.string().optional(), language: z.string().optional(), prompt: z.string().optional() })
    .nullable()
    .optional(),
  input_audio_noise_reduction: z.strictObject({ type: z.enum(['near_field', 'far_field']) }).nullable().optional(),
  turn_detection: betaTurnDetection.optional(),
  tools: toolsInput.optional(),
  tool_choice: z.unknown().optional(),
  temperature: z.number().min(0.6).max(1.2).optional(),
  max_response_output_tokens: z.union([z.number().int().min(1).max(4096), z.literal('inf')]).optional(),
  speed: z.number().min(0.25).max(1.5).optional(),
  tracing: z.unknown().optional(),
});

/** Body of beta `POST /v1/realtime/sessions`: the session plus an optional key lifetime. */
export const betaSessionsRequest = betaSessionInput.extend({
  client_secret: z
    .strictObject({
      expires_after: z.strictObject({ anchor: z.literal('created_at').optional(), seconds: z.number().int().min(10).max(7200).optional() }),
    })
    .optional(),
});

/** Beta `response.create` parameters. */
export const betaResponseParams = z.strictObject({
  modalities: z.array(z.enum(['text', 'audio'])).min(1).optional(),
  instructions: z.string().optional(),
  voice: z.string().optional(),
  output_audio_format: betaFormat.optional(),
  tools: toolsInput.optional(),
  tool_choice: z.unknown().optional(),
  temperature: z.number().optional(),
  max_response_output_tokens: z.union([z.number().int().min(1).max(4096), z.literal('inf')]).optional(),
  max_output_tokens: z.union([z.number().int().min(1).max(4096), z.literal('inf')]).optional(),
  conversation: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  input: z.array(z.unknown()).optional(),
});

/** Parsed beta session configuration. */
export type BetaSessionInput = z.infer<typeof betaSessionInput>;
