import type { ItemInput } from '../protocol/client-events.js';
import type { ItemInfo, Signals } from './signals.js';

/** A user, assistant or system message of the conversation. */
export interface HistoryMessage {
  type: 'message';
  /** The server's item id. */
  id: string;
  role: 'user' | 'assistant' | 'system';
  /** What was said or typed so far; for an interrupted answer, only up to what was heard (estimated). */
  text: string;
  /**
   * `in_progress` while text is still coming (a user's transcription arrives
   * after the fact, often after the answer), `completed`, `incomplete` (an
   * answer cut short, or text that stopped coming because the connection
   * ended), or `failed` (the user's speech could not be transcribed).
   */
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  /**
   * True for an assistant answer cut off: by the user (barge-in or
   * `interrupt()`, with `audioEndMs`) or by the connection ending mid-answer
   * (its text is what had arrived).
   */
  interrupted?: boolean;
  /** For an interrupted answer: how much of its audio was played, in ms. */
  audioEndMs?: number;
  /** The response that produced an assistant message. */
  responseId?: string;
}

/** A tool call of the model, with its output once known. */
export interface HistoryToolCall {
  type: 'function_call';
  id: string;
  callId: string;
  name: string;
  /** The arguments as the model sent them (a JSON string). */
  arguments: string;
  /** What was sent back to the model, once the tool finished. */
  output?: string;
  status: 'in_progress' | 'completed' | 'failed';
}

/** One entry of {@link VoiceSession.history}. */
export type HistoryItem = HistoryMessage | HistoryToolCall;

/** Characters of speech per second, to estimate how much of an interrupted answer's text was heard. */
const CHARS_PER_SECOND = 15;

/**
 * The conversation as an app renders it: user and assistant messages and tool
 * calls, in server order (`previous_item_id`), updated in place as text
 * arrives. Every change replaces the changed entry with a new object, so a UI
 * can compare by reference.
 */
export class History {
  #items: HistoryItem[] = [];
  readonly #onChange: (item: HistoryItem | undefined) => void;
  /** The whole text of interrupted answers, to re-cut when the exact heard length arrives. */
  readonly #full = new Map<string, string>();
  /** Responses outside the conversation (a tool acknowledgement): what they say is not part of it, nor replayed. */
  readonly #outOfBand = new Set<string>();

  constructor(signals: Signals, onChange: (item: HistoryItem | undefined) => void) {
    this.#onChange = onChange;
    signals.on('inputCommitted', ({ itemId, previousItemId }) =>
      this.#upsert({ type: 'message', id: itemId, role: 'user', text: '', status: 'in_progress' }, previousItemId),
    );
    signals.on('itemAdded', ({ item, previousItemId }) => this.#added(item, previousItemId));
    signals.on('responseCreated', (r) => r.outOfBand && this.#outOfBand.add(r.responseId));
    signals.on('text', (t) => {
      if (t.responseId && this.#outOfBand.has(t.responseId)) return;
      const current = this.#find(t.itemId);
      if (current && current.type !== 'message') return;
      if (current?.interrupted) return;
      const base: HistoryMessage = current ?? { type: 'message', id: t.itemId, role: t.role, text: '', status: 'in_progress' };
      const next: HistoryMessage = { ...base, text: t.failed ? base.text : t.text, status: t.failed ? 'failed' : t.final ? 'completed' : 'in_progress' };
      if (t.responseId) next.responseId = t.responseId;
      this.#upsert(next, undefined);
    });
    signals.on('functionCall', (c) => {
      const current = this.#find(c.itemId) as HistoryToolCall | undefined;
      // A call delivered again after its output keeps its status.
      this.#upsert({ ...current, ...this.#call(c.itemId, c.callId, c.name, c.arguments), ...(current?.output !== undefined && { status: current.status }) }, undefined);
    });
    signals.on('itemTruncated', ({ itemId, audioEndMs }) => this.markInterrupted(itemId, audioEndMs));
    signals.on('itemDeleted', ({ itemId }) => {
      const before = this.#items.length;
      this.#items = this.#items.filter((i) => i.id !== itemId);
      if (this.#items.length !== before) this.#onChange(undefined);
    });
    signals.on('responseDone', ({ status, outputIds }) => {
      for (const id of outputIds) {
        const item = this.#find(id);
        if (item?.type === 'message' && item.status === 'in_progress') {
          this.#upsert({ ...item, status: status === 'completed' ? 'completed' : 'incomplete' }, undefined);
        }
      }
    });
  }

  /** The conversation so far (a copy). */
  get items(): HistoryItem[] {
    return this.#items.slice();
  }

  /** Forgets the conversation (a new one starts). */
  clear(): void {
    this.#items = [];
    this.#full.clear();
    this.#onChange(undefined);
  }

  /**
   * Marks an assistant answer as cut off after `heardMs` of audio, keeping the
   * text up to about what was heard. A later, exact `audioEndMs` from the
   * server replaces the estimate.
   */
  markInterrupted(itemId: string, heardMs: number): void {
    const item = this.#find(itemId);
    if (item?.type !== 'message' || item.role !== 'assistant') return;
    const full = this.#full.get(itemId) ?? item.text;
    this.#full.set(itemId, full);
    this.#upsert({ ...item, interrupted: true, status: 'incomplete', audioEndMs: Math.round(heardMs), text: cut(full, heardMs) }, undefined);
  }

  /**
   * The connection ended: text still coming will not come. Messages in
   * progress become `incomplete`, and an answer being given is `interrupted`
   * with the text that had arrived.
   */
  endInProgress(): void {
    for (const item of this.#items) {
      if (item.type !== 'message' || item.status !== 'in_progress') continue;
      this.#upsert({ ...item, status: 'incomplete', ...(item.role === 'assistant' && { interrupted: true }) }, undefined);
    }
  }

  /** Records the output sent back for a tool call. */
  recordOutput(callId: string, output: string, failed: boolean): void {
    const call = this.#items.find((i): i is HistoryToolCall => i.type === 'function_call' && i.callId === callId);
    // A failed call stays failed (the server echoes the output item we sent).
    if (call) this.#upsert({ ...call, output, status: failed || call.status === 'failed' ? 'failed' : 'completed' }, undefined);
  }

  /** The conversation as items to re-create on a new connection, in order. */
  replayItems(): ItemInput[] {
    const out: ItemInput[] = [];
    for (const item of this.#items) {
      if (item.type === 'message') {
        if (item.text) out.push({ type: 'message', id: item.id, role: item.role, text: item.text });
      } else {
        out.push({ type: 'function_call', id: item.id, callId: item.callId, name: item.name, arguments: item.arguments });
        if (item.output !== undefined) out.push({ type: 'function_call_output', callId: item.callId, output: item.output });
      }
    }
    return out;
  }

  #added(info: ItemInfo, previousItemId: string | null | undefined): void {
    const current = this.#find(info.id);
    if (info.type === 'message') {
      const role = info.role === 'assistant' || info.role === 'system' ? info.role : 'user';
      const base = current?.type === 'message' ? current : ({ type: 'message', id: info.id, role, text: '', status: 'in_progress' } as HistoryMessage);
      const text = base.text || info.text || '';
      // A typed message is complete on arrival; audio waits for its transcript.
      const status = base.status !== 'in_progress' ? base.status : text && role !== 'assistant' ? 'completed' : 'in_progress';
      this.#upsert({ ...base, text, status }, previousItemId);
    } else if (info.type === 'function_call' && info.callId) {
      const base = current?.type === 'function_call' ? current : undefined;
      this.#upsert({ ...this.#call(info.id, info.callId, info.name ?? '', info.arguments ?? ''), ...base }, previousItemId);
    } else if (info.type === 'function_call_output' && info.callId && info.output !== undefined) {
      this.recordOutput(info.callId, info.output, false);
    }
  }

  #call(id: string, callId: string, name: string, args: string): HistoryToolCall {
    return { type: 'function_call', id, callId, name, arguments: args, status: 'in_progress' };
  }

  #find(id: string): HistoryItem | undefined {
    return this.#items.find((i) => i.id === id);
  }

  /** Replaces an entry in place, or inserts it after `previousItemId` (at the start for `null`, at the end when unknown). */
  #upsert(item: HistoryItem, previousItemId: string | null | undefined): void {
    const i = this.#items.findIndex((x) => x.id === item.id);
    if (i >= 0) this.#items[i] = item;
    else if (previousItemId === null) this.#items.unshift(item);
    else {
      const after = previousItemId === undefined ? -1 : this.#items.findIndex((x) => x.id === previousItemId);
      if (after >= 0) this.#items.splice(after + 1, 0, item);
      else this.#items.push(item);
    }
    this.#onChange(item);
  }
}

/** The text up to about `heardMs` of speech, cut at a word boundary. */
function cut(text: string, heardMs: number): string {
  const chars = Math.round((heardMs / 1000) * CHARS_PER_SECOND);
  if (chars >= text.length) return text;
  const space = text.lastIndexOf(' ', chars);
  return text.slice(0, space > 0 ? space : chars).trimEnd();
}
