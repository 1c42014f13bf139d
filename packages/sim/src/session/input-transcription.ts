import type { RealtimeSession } from '../protocol/session-config.js';
import { textTokens } from '../protocol/usage.js';
import type { StoredItem } from './conversation.js';

/** The payloads of `…input_audio_transcription.delta` and `.completed` for one item. */
export interface TranscriptionEvents {
  transcript: string;
  delta: Record<string, unknown>;
  completed: Record<string, unknown>;
}

/**
 * The sim's stand-in for input transcription: an honest placeholder
 * transcript ("(sim) 1.4 s of speech", from the voiced duration) and the
 * usage the service reports for the configured model: `{type:"duration"}`
 * for `whisper-1`, token counts (audio 1 token / 100 ms) otherwise.
 * `withLogprobs` adds a `logprobs` list (one certain entry per word).
 */
export function transcribe(
  stored: StoredItem,
  transcription: NonNullable<RealtimeSession['audio']['input']['transcription']>,
  withLogprobs = false,
): TranscriptionEvents {
  const itemId = stored.item.id;
  const transcript = `(sim) ${((stored.voicedMs ?? 0) / 1000).toFixed(1)} s of speech`;
  const audioMs = stored.audio && stored.audioRate ? (stored.audio.length * 1000) / stored.audioRate : 0;
  const audioTokens = Math.ceil(audioMs / 100);
  const usage = (transcription.model ?? '').startsWith('whisper')
    ? { type: 'duration', seconds: Math.round(audioMs / 100) / 10 }
    : {
        type: 'tokens',
        total_tokens: audioTokens + textTokens(transcript),
        input_tokens: audioTokens,
        input_token_details: { text_tokens: 0, audio_tokens: audioTokens },
        output_tokens: textTokens(transcript),
      };
  // With `include: ["item.input_audio_transcription.logprobs"]`: one entry per word, certain (logprob 0).
  const logprobs = withLogprobs
    ? (transcript.match(/\S+\s*/g) ?? []).map((token) => ({ token, logprob: 0, bytes: [...Buffer.from(token, 'utf8')] }))
    : undefined;
  return {
    transcript,
    delta: { item_id: itemId, content_index: 0, delta: transcript, ...(logprobs ? { logprobs } : {}) },
    completed: { item_id: itemId, content_index: 0, transcript, usage, ...(logprobs ? { logprobs } : {}) },
  };
}
