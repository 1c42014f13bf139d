import type { RealtimeUsage } from '../protocol/server-events.js';
import type { Signals } from './signals.js';

/** US dollars per 1M tokens of one model (PROTOCOL.md §8). */
export interface ModelPrices {
  textIn: number;
  textCachedIn: number;
  textOut: number;
  audioIn: number;
  audioCachedIn: number;
  audioOut: number;
  imageIn?: number;
  imageCachedIn?: number;
}

const p = (audioIn: number, audioCachedIn: number, audioOut: number, textIn: number, textCachedIn: number, textOut: number, imageIn?: number, imageCachedIn?: number): ModelPrices => ({
  textIn,
  textCachedIn,
  textOut,
  audioIn,
  audioCachedIn,
  audioOut,
  ...(imageIn !== undefined && { imageIn, imageCachedIn }),
});

const REALTIME = p(32, 0.4, 64, 4, 0.4, 16, 5, 0.5);
const MINI = p(10, 0.3, 20, 0.6, 0.06, 2.4, 0.8, 0.08);

/**
 * Built-in prices, USD per 1M tokens, by model name prefix (the longest
 * matching prefix wins, so dated snapshots find their family). From
 * PROTOCOL.md §8; override or extend with the `prices` option.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrices>> = {
  'gpt-realtime': REALTIME,
  'gpt-realtime-1.5': REALTIME,
  'gpt-realtime-2': p(32, 0.4, 64, 4, 0.4, 24, 5, 0.5),
  'gpt-realtime-mini': MINI,
  'gpt-realtime-2.1-mini': MINI,
  'gpt-4o-realtime-preview': p(40, 2.5, 80, 5, 2.5, 20),
  'gpt-4o-mini-realtime-preview': p(10, 0.3, 20, 0.6, 0.3, 2.4),
};

/** Token totals of a session and what they cost. Payload of `usage`. */
export interface UsageTotals {
  /** Responses counted. */
  responses: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  input: { text: number; audio: number; image: number; cached: number; cachedText: number; cachedAudio: number; cachedImage: number };
  output: { text: number; audio: number };
  /** The model the prices were looked up for (from `session.created`). */
  model: string | undefined;
  /** Estimated cost in US dollars; `undefined` when the model has no known prices. */
  costUsd: number | undefined;
}

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** An empty total. */
export function emptyUsage(model?: string): UsageTotals {
  return {
    responses: 0,
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    input: { text: 0, audio: 0, image: 0, cached: 0, cachedText: 0, cachedAudio: 0, cachedImage: 0 },
    output: { text: 0, audio: 0 },
    model,
    costUsd: model === undefined ? undefined : 0,
  };
}

/** Adds one response's reported usage to a total (a new object). */
export function addUsage(total: UsageTotals, u: RealtimeUsage): UsageTotals {
  const i = u.input_token_details ?? {};
  const c = i.cached_tokens_details ?? {};
  const o = u.output_token_details ?? {};
  const t = total.input;
  return {
    ...total,
    responses: total.responses + 1,
    inputTokens: total.inputTokens + n(u.input_tokens),
    outputTokens: total.outputTokens + n(u.output_tokens),
    totalTokens: total.totalTokens + n(u.total_tokens),
    input: {
      text: t.text + n(i.text_tokens),
      audio: t.audio + n(i.audio_tokens),
      image: t.image + n(i.image_tokens),
      cached: t.cached + n(i.cached_tokens),
      cachedText: t.cachedText + n(c.text_tokens),
      cachedAudio: t.cachedAudio + n(c.audio_tokens),
      cachedImage: t.cachedImage + n(c.image_tokens),
    },
    output: { text: total.output.text + n(o.text_tokens), audio: total.output.audio + n(o.audio_tokens) },
  };
}

/** Finds the prices of `model`: an exact entry, else the longest name that prefixes it. */
export function pricesFor(model: string | undefined, table: Record<string, ModelPrices>): ModelPrices | undefined {
  if (!model) return undefined;
  let best: string | undefined;
  for (const name in table) if (model.startsWith(name) && (!best || name.length > best.length)) best = name;
  return best === undefined ? undefined : table[best];
}

/** Cost in US dollars of a total at the given prices. Cached tokens are billed at the cached rates. */
export function costOf(u: UsageTotals, pr: ModelPrices): number {
  const i = u.input;
  // Cached tokens are part of the input counts; without a per-modality split, count them as text.
  const cachedText = i.cachedText + Math.max(0, i.cached - i.cachedText - i.cachedAudio - i.cachedImage);
  const usd =
    Math.max(0, i.text - cachedText) * pr.textIn +
    cachedText * pr.textCachedIn +
    Math.max(0, i.audio - i.cachedAudio) * pr.audioIn +
    i.cachedAudio * pr.audioCachedIn +
    Math.max(0, i.image - i.cachedImage) * (pr.imageIn ?? pr.textIn) +
    i.cachedImage * (pr.imageCachedIn ?? pr.textCachedIn) +
    u.output.text * pr.textOut +
    u.output.audio * pr.audioOut;
  return usd / 1_000_000;
}

/**
 * Sums the usage of every `response.done` of a session (across reconnections)
 * and prices it.
 */
export class UsageMeter {
  #total = emptyUsage();
  readonly #prices: Record<string, ModelPrices>;

  constructor(signals: Signals, prices: Record<string, ModelPrices>, onChange: (total: UsageTotals) => void) {
    this.#prices = { ...DEFAULT_PRICES, ...prices };
    signals.on('sessionCreated', (session) => {
      if (typeof session.model === 'string') this.#total = this.#priced({ ...this.#total, model: session.model });
    });
    signals.on('responseDone', ({ usage }) => {
      if (!usage) return;
      this.#total = this.#priced(addUsage(this.#total, usage));
      onChange(this.#total);
    });
  }

  /** The totals so far. */
  get total(): UsageTotals {
    return this.#total;
  }

  /** Starts from zero (a new conversation). */
  reset(): void {
    this.#total = emptyUsage();
  }

  #priced(u: UsageTotals): UsageTotals {
    const pr = pricesFor(u.model, this.#prices);
    return { ...u, costUsd: pr ? costOf(u, pr) : undefined };
  }
}
