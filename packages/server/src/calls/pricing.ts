/**
 * What a call costs: the `usage` of each `response.done` summed, and priced per model.
 *
 * The price table and the pricing rules are copied from `@rtvoice/client`
 * (`packages/client/src/session/usage.ts`, from PROTOCOL.md §8) so the server and the page agree
 * on a call's cost; keep the two in step. Azure models are deployment names: give their prices
 * with the controller's `prices` option.
 */

/** US dollars per 1M tokens of one model. */
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
  ...(imageIn === undefined ? {} : { imageIn }),
  ...(imageCachedIn === undefined ? {} : { imageCachedIn }),
});

const REALTIME = p(32, 0.4, 64, 4, 0.4, 16, 5, 0.5);
const MINI = p(10, 0.3, 20, 0.6, 0.06, 2.4, 0.8, 0.08);

/** Built-in prices by model name prefix (the longest matching prefix wins, so dated snapshots find their family). */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrices>> = Object.freeze({
  'gpt-realtime': REALTIME,
  'gpt-realtime-2': p(32, 0.4, 64, 4, 0.4, 24, 5, 0.5),
  'gpt-realtime-mini': MINI,
  'gpt-realtime-2.1-mini': MINI,
  'gpt-4o-mini-realtime-preview': p(10, 0.3, 20, 0.6, 0.3, 2.4),
});

/** A `usage` object of `response.done` (only the fields priced are typed; others are summed too). */
export interface CallUsage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_token_details?: {
    text_tokens?: number;
    audio_tokens?: number;
    image_tokens?: number;
    cached_tokens?: number;
    cached_tokens_details?: { text_tokens?: number; audio_tokens?: number; image_tokens?: number };
  };
  output_token_details?: { text_tokens?: number; audio_tokens?: number };
  [key: string]: unknown;
}

/** The prices of `model`: the longest table entry that prefixes it and ends at `-` or `.`. */
export function pricesFor(model: string | undefined, table: Readonly<Record<string, ModelPrices>>): ModelPrices | undefined {
  let best = '';
  for (const name in table) if (model?.startsWith(name) && /^([-.]|$)/.test(model.slice(name.length)) && name.length > best.length) best = name;
  return table[best];
}

/** Cost in US dollars of `u` at the given prices; cached tokens (part of the input counts) at the cached rates. */
export function costOf(u: CallUsage, pr: ModelPrices): number {
  const i = u.input_token_details ?? {};
  const c = i.cached_tokens_details ?? {};
  const o = u.output_token_details ?? {};
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  // Without a per-modality split of the cached tokens, count them as text.
  const cachedText = n(c.text_tokens) + Math.max(0, n(i.cached_tokens) - n(c.text_tokens) - n(c.audio_tokens) - n(c.image_tokens));
  return (
    (Math.max(0, n(i.text_tokens) - cachedText) * pr.textIn +
      cachedText * pr.textCachedIn +
      Math.max(0, n(i.audio_tokens) - n(c.audio_tokens)) * pr.audioIn +
      n(c.audio_tokens) * pr.audioCachedIn +
      Math.max(0, n(i.image_tokens) - n(c.image_tokens)) * (pr.imageIn ?? pr.textIn) +
      n(c.image_tokens) * (pr.imageCachedIn ?? pr.textCachedIn) +
      n(o.text_tokens) * pr.textOut +
      n(o.audio_tokens) * pr.audioOut) /
    1e6
  );
}

/** Adds every number of `b` into a copy of `a`, recursively (new fields the service adds are summed too). */
function sum(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const k in b) {
    const v = b[k];
    if (typeof v === 'number') out[k] = ((out[k] as number) || 0) + v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = sum((out[k] as Record<string, unknown>) ?? {}, v as Record<string, unknown>);
  }
  return out;
}

/** The usage of a call so far and what it cost. */
export interface CallUsageTotals {
  /** `response.done` events counted. */
  responses: number;
  /** The summed `usage` objects. */
  usage: CallUsage;
  /** Estimated cost in US dollars; undefined when the model has no known price. */
  costUsd: number | undefined;
}

/** Sums the `usage` of a call's responses and prices it. */
export class CallUsageMeter {
  #responses = 0;
  #usage: CallUsage = { total_tokens: 0, input_tokens: 0, output_tokens: 0 };
  readonly #prices: ModelPrices | undefined;

  /** @param model - the session's model; @param prices - the price table. */
  constructor(model: string, prices: Readonly<Record<string, ModelPrices>>) {
    this.#prices = pricesFor(model, prices);
  }

  /** Adds the `usage` of one `response.done`. */
  add(usage: unknown): void {
    if (typeof usage !== 'object' || usage === null) return;
    this.#usage = sum(this.#usage, usage as Record<string, unknown>) as CallUsage;
    this.#responses += 1;
  }

  /** The totals so far (a copy). */
  get totals(): CallUsageTotals {
    return { responses: this.#responses, usage: structuredClone(this.#usage), costUsd: this.#prices && costOf(this.#usage, this.#prices) };
  }
}
