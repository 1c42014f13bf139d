/**
 * Token accounting, following OpenAI's published rules (DOC-COSTS):
 * user audio is 1 token per 100 ms, assistant audio 1 token per 50 ms.
 * Text is approximated as 1 token per 4 characters (rounded up).
 */

/** Audio tokens of user (input) audio. */
export const userAudioTokens = (ms: number): number => Math.ceil(Math.max(0, ms) / 100);
/** Audio tokens of assistant (output) audio. */
export const assistantAudioTokens = (ms: number): number => Math.ceil(Math.max(0, ms) / 50);
/** Approximate text tokens of a string. */
export const textTokens = (text: string): number => Math.ceil(text.length / 4);

/** Token counts split by modality. */
export interface TokenSplit {
  text: number;
  audio: number;
}

/** The `usage` object of `response.done`, shaped exactly like the service's. */
export interface ResponseUsage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_token_details: {
    text_tokens: number;
    audio_tokens: number;
    image_tokens: number;
    cached_tokens: number;
    cached_tokens_details: { text_tokens: number; audio_tokens: number; image_tokens: number };
  };
  output_token_details: { text_tokens: number; audio_tokens: number };
}

/**
 * Builds a `usage` object.
 *
 * @param input - Tokens of the whole context billed as input.
 * @param cached - The part of `input` served from the prompt cache.
 * @param output - Tokens generated.
 */
export function buildUsage(input: TokenSplit, cached: TokenSplit, output: TokenSplit): ResponseUsage {
  const inputTokens = input.text + input.audio;
  const outputTokens = output.text + output.audio;
  return {
    total_tokens: inputTokens + outputTokens,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    input_token_details: {
      text_tokens: input.text,
      audio_tokens: input.audio,
      image_tokens: 0,
      cached_tokens: cached.text + cached.audio,
      cached_tokens_details: { text_tokens: cached.text, audio_tokens: cached.audio, image_tokens: 0 },
    },
    output_token_details: { text_tokens: output.text, audio_tokens: output.audio },
  };
}

/**
 * The cached part of a context: the prefix already billed by the previous
 * response, counted in whole blocks of 64 tokens (OpenAI caches in 64-token
 * increments), split proportionally between text and audio.
 */
export function cachedPrefix(prefix: TokenSplit): TokenSplit {
  const total = prefix.text + prefix.audio;
  const cached = Math.floor(total / 64) * 64;
  if (cached === 0 || total === 0) return { text: 0, audio: 0 };
  const text = Math.round((cached * prefix.text) / total);
  return { text, audio: cached - text };
}
