import type { TranscriptEvent } from '../events.js';
import type { KnownServerEvent } from '../protocol/server-events.js';

/**
 * Assembles transcript deltas into running texts, per item and content part,
 * for both roles. Feed it every known server event; it returns the transcript
 * event to emit, if any.
 */
export class TranscriptAssembler {
  readonly #texts = new Map<string, string>();

  /** Forgets everything (new connection). */
  reset(): void {
    this.#texts.clear();
  }

  handle(event: KnownServerEvent): TranscriptEvent | undefined {
    switch (event.type) {
      case 'response.output_audio_transcript.delta':
      case 'response.output_text.delta':
        return this.#delta('assistant', event.item_id, event.content_index, event.delta, event.response_id);
      case 'response.output_audio_transcript.done':
        return this.#final('assistant', event.item_id, event.content_index, event.transcript, event.response_id);
      case 'response.output_text.done':
        return this.#final('assistant', event.item_id, event.content_index, event.text, event.response_id);
      case 'conversation.item.input_audio_transcription.delta':
        return this.#delta('user', event.item_id, event.content_index, event.delta, undefined);
      case 'conversation.item.input_audio_transcription.completed':
        return this.#final('user', event.item_id, event.content_index, event.transcript, undefined);
      default:
        return undefined;
    }
  }

  #delta(role: TranscriptEvent['role'], itemId: string, part: number | undefined, delta: string, responseId: string | undefined): TranscriptEvent {
    const key = `${itemId}:${part ?? 0}`;
    const text = (this.#texts.get(key) ?? '') + delta;
    this.#texts.set(key, text);
    return withResponse({ role, itemId, delta, text, final: false }, responseId);
  }

  #final(role: TranscriptEvent['role'], itemId: string, part: number | undefined, text: string, responseId: string | undefined): TranscriptEvent {
    const key = `${itemId}:${part ?? 0}`;
    const before = this.#texts.get(key) ?? '';
    this.#texts.delete(key);
    const delta = text.startsWith(before) ? text.slice(before.length) : text;
    return withResponse({ role, itemId, delta, text, final: true }, responseId);
  }
}

/* Keeps `responseId` absent (not `undefined`) for user transcripts. */
function withResponse(event: TranscriptEvent, responseId: string | undefined): TranscriptEvent {
  if (responseId !== undefined) event.responseId = responseId;
  return event;
}
