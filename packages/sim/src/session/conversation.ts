import type { ConversationItem } from '../protocol/items.js';
import { assistantAudioTokens, textTokens, type TokenSplit, userAudioTokens } from '../protocol/usage.js';

/** An item plus what the sim keeps about it beyond the wire shape. */
export interface StoredItem {
  item: ConversationItem;
  /** Item audio, mono s16 at `audioRate` (user: 16 kHz, assistant: 48 kHz). */
  audio?: Int16Array;
  audioRate?: number;
  /** User audio: milliseconds of actual voice (onset to last loud window). */
  voicedMs?: number;
  /** User audio: trailing silence included in `audio` (the VAD's silence run). */
  trailingSilenceMs?: number;
}

/** Result of {@link Conversation.insert}. */
export type InsertResult = { ok: true; previousItemId: string | null } | { ok: false; reason: 'previous_item_not_found' };

/** The ordered list of items of the default conversation. */
export class Conversation {
  readonly id: string;
  #items: StoredItem[] = [];

  /** @param id - The `conv_…` id. */
  constructor(id: string) {
    this.id = id;
  }

  /** All items, in order. */
  get items(): readonly StoredItem[] {
    return this.#items;
  }

  /** Id of the last item, or null when empty. */
  get lastId(): string | null {
    return this.#items.at(-1)?.item.id ?? null;
  }

  /** Finds an item by id. */
  get(id: string): StoredItem | undefined {
    return this.#items.find((s) => s.item.id === id);
  }

  /**
   * Inserts an item. `previousItemId` undefined appends; `"root"` inserts at
   * the start; an id inserts after that item.
   */
  insert(stored: StoredItem, previousItemId?: string | null): InsertResult {
    if (previousItemId === undefined || previousItemId === null) {
      const prev = this.lastId;
      this.#items.push(stored);
      return { ok: true, previousItemId: prev };
    }
    if (previousItemId === 'root') {
      this.#items.unshift(stored);
      return { ok: true, previousItemId: null };
    }
    const index = this.#items.findIndex((s) => s.item.id === previousItemId);
    if (index < 0) return { ok: false, reason: 'previous_item_not_found' };
    this.#items.splice(index + 1, 0, stored);
    return { ok: true, previousItemId };
  }

  /** Removes an item; false when unknown. */
  delete(id: string): boolean {
    const before = this.#items.length;
    this.#items = this.#items.filter((s) => s.item.id !== id);
    return this.#items.length !== before;
  }

  /** Input tokens of the items (context billing). */
  tokens(items: readonly StoredItem[] = this.#items): TokenSplit {
    return contextTokens(items);
  }
}

/** Input tokens of a list of items: text by length, audio by duration. */
export function contextTokens(items: readonly StoredItem[]): TokenSplit {
  let text = 0;
  let audio = 0;
  for (const stored of items) {
    const { item } = stored;
    const audioMs = stored.audio && stored.audioRate ? (stored.audio.length * 1000) / stored.audioRate : 0;
    if (item.type === 'message') {
      for (const part of item.content) {
        if (part.type === 'input_text' || part.type === 'output_text') text += textTokens(part.text);
      }
      if (audioMs > 0) audio += item.role === 'assistant' ? assistantAudioTokens(audioMs) : userAudioTokens(audioMs);
    } else if (item.type === 'function_call') {
      text += textTokens(item.name + item.arguments);
    } else {
      text += textTokens(item.output);
    }
  }
  return { text, audio };
}
