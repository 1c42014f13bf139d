import { RtvoiceError } from '../errors.js';
import type { BudgetOptions } from '../options.js';
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
  imageIn,
  imageCachedIn,
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
  'gpt-realtime-2': p(32, 0.4, 64, 4, 0.4, 24, 5, 0.5),
  'gpt-realtime-mini': MINI,
  'gpt-realtime-2.1-mini': MINI,
  'gpt-4o-mini-realtime-preview': p(10, 0.3, 20, 0.6, 0.3, 2.4),
};

/**
 * Token totals of a session (every field of the service's `usage` object,
 * summed over each `response.done`, in the service's own shape) and what they
 * cost. Payload of `usage`.
 */
export interface UsageTotals extends RealtimeUsage {
  /** Responses counted. */
  responses: number;
  /** The model the prices were looked up for (from `session.created`). */
  model: string | undefined;
  /** Estimated cost in US dollars; `undefined` when the model has no known prices. */
  costUsd: number | undefined;
}

/** Adds every number of `b` into `a`, recursively (new fields the service adds are summed too). */
function sum(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const k in b) {
    const v = b[k];
    // A count that is negative or not finite (1e999 parses to Infinity) is not one: totals never go down or break.
    if (typeof v === 'number') out[k] = ((out[k] as number) || 0) + (v >= 0 && v < Infinity ? v : 0);
    else if (v && typeof v === 'object') out[k] = sum((out[k] as Record<string, unknown>) ?? {}, v as Record<string, unknown>);
  }
  return out;
}

/** Finds the prices of `model`: the longest table entry that prefixes its name. */
export function pricesFor(model: string | undefined, table: Record<string, ModelPrices>): ModelPrices | undefined {
  let best = '';
  // The prefix must end at '-' or '.': 'gpt-realtime-2025-08-28' is gpt-realtime, not gpt-realtime-2.
  for (const name in table) if (model?.startsWith(name) && /^([-.]|$)/.test(model.slice(name.length)) && name.length > best.length) best = name;
  return table[best];
}

/** Cost in US dollars of `u` at the given prices. Cached tokens (part of the input counts) are billed at the cached rates. */
export function costOf(u: RealtimeUsage, pr: ModelPrices): number {
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

const empty = (): UsageTotals => ({ responses: 0, model: undefined, costUsd: undefined, input_tokens: 0, output_tokens: 0, total_tokens: 0 });

/**
 * Sums the usage of every `response.done` of a session (across reconnections),
 * prices it, and watches the budget: the first time the cost reaches
 * `maxUsd`, `onBudget` gets a `budget_exceeded` error.
 */
export class UsageMeter {
  #total = empty();
  #overBudget = false;
  readonly #prices: Record<string, ModelPrices>;

  constructor(
    signals: Signals,
    prices: Record<string, ModelPrices>,
    budget: BudgetOptions | undefined,
    onChange: (total: UsageTotals) => void,
    onBudget: (error: RtvoiceError, disconnect: boolean) => void,
  ) {
    this.#prices = { ...DEFAULT_PRICES, ...prices };
    signals.on('sessionCreated', (session) => this.#set({ ...this.#total, model: session.model as string }));
    signals.on('responseDone', ({ usage }) => {
      if (!usage) return;
      this.#set({ ...(sum(this.#total, usage) as UsageTotals), responses: this.#total.responses + 1 });
      const total = this.#total;
      onChange(total);
      if (!budget || this.#overBudget || total.costUsd === undefined || total.costUsd < budget.maxUsd) return;
      this.#overBudget = true;
      onBudget(new RtvoiceError('budget_exceeded', `Cost $${total.costUsd.toFixed(4)} is over the budget.`), budget.onExceeded === 'disconnect');
    });
  }

  /** The totals so far. */
  get total(): UsageTotals {
    return this.#total;
  }

  /** Starts from zero (a new conversation). The model stays: a connection prepared ahead already reported it. */
  reset(): void {
    this.#set({ ...empty(), model: this.#total.model });
    this.#overBudget = false;
  }

  #set(u: UsageTotals): void {
    const pr = pricesFor(u.model, this.#prices);
    this.#total = { ...u, costUsd: pr && costOf(u, pr) };
  }
}
