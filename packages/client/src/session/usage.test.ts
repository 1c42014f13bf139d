// @vitest-environment happy-dom
/*
 * `session.usage` and the `usage` event: every response.done's usage summed,
 * priced from the table (PROTOCOL.md §8) by the model of session.created, and
 * the budget.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession, flush, installMicrophone, record, until } from '../../test/harness.js';
import type { VoiceSessionOptions } from '../options.js';
import { DEFAULT_PRICES } from './usage.js';

beforeEach(() => {
  installMicrophone();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A session connected to a server that reports `model` in session.created. */
async function live(model: string | undefined, options: Partial<VoiceSessionOptions> = {}) {
  const h = createSession(options, { transport: { autoSessionCreated: false } });
  const connecting = h.session.connect();
  await until(() => h.transports[0]?.state === 'open');
  h.fake.receive({ type: 'session.created', session: { type: 'realtime', ...(model !== undefined && { model }) } });
  await connecting;
  return Object.assign(h, { usage: record(h.session, 'usage') });
}

/** 1000 text + 2000 audio tokens in (200 and 500 of them cached), 300 text + 1000 audio out. */
const USAGE = {
  total_tokens: 4300,
  input_tokens: 3000,
  output_tokens: 1300,
  input_token_details: {
    text_tokens: 1000,
    audio_tokens: 2000,
    image_tokens: 0,
    cached_tokens: 700,
    cached_tokens_details: { text_tokens: 200, audio_tokens: 500, image_tokens: 0 },
  },
  output_token_details: { text_tokens: 300, audio_tokens: 1000 },
};
// gpt-realtime: 800×$4 + 200×$0.40 + 1500×$32 + 500×$0.40 + 300×$16 + 1000×$64, per 1M tokens.
const REALTIME_COST = (800 * 4 + 200 * 0.4 + 1500 * 32 + 500 * 0.4 + 300 * 16 + 1000 * 64) / 1e6;
// gpt-realtime-mini: 800×$0.60 + 200×$0.06 + 1500×$10 + 500×$0.30 + 300×$2.40 + 1000×$20.
const MINI_COST = (800 * 0.6 + 200 * 0.06 + 1500 * 10 + 500 * 0.3 + 300 * 2.4 + 1000 * 20) / 1e6;

describe('token totals', () => {
  it('sums every response.done and emits the totals after each', async () => {
    const h = await live(undefined);
    h.fake.assistantTurn('One.');
    h.fake.assistantTurn('Two.');
    const expected = {
      responses: 2,
      model: undefined,
      costUsd: undefined,
      total_tokens: 600,
      input_tokens: 200,
      output_tokens: 400,
      input_token_details: { text_tokens: 80, audio_tokens: 120, image_tokens: 0, cached_tokens: 0 },
      output_token_details: { text_tokens: 100, audio_tokens: 300 },
    };
    expect(h.session.usage).toEqual(expected);
    expect(h.usage).toHaveLength(2);
    expect(h.usage[0]).toMatchObject({ responses: 1, total_tokens: 300 });
    expect(h.usage[1]).toEqual(expected);
  });

  it('sums cached tokens and their split', async () => {
    const h = await live('gpt-realtime');
    h.fake.assistantTurn('One.', { usage: USAGE });
    h.fake.assistantTurn('Two.', { usage: USAGE });
    expect(h.session.usage).toMatchObject({
      responses: 2,
      input_token_details: { cached_tokens: 1400, cached_tokens_details: { text_tokens: 400, audio_tokens: 1000, image_tokens: 0 } },
    });
  });

  it('counts a cancelled response with zero usage, and ignores a response.done without usage', async () => {
    const h = await live('gpt-realtime');
    const zero = { total_tokens: 0, input_tokens: 0, output_tokens: 0, input_token_details: { text_tokens: 0, audio_tokens: 0, cached_tokens: 0 }, output_token_details: { text_tokens: 0, audio_tokens: 0 } };
    h.fake.receive({ type: 'response.done', response: { id: 'r1', status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' }, output: [], usage: zero } });
    h.fake.receive({ type: 'response.done', response: { id: 'r2', status: 'failed', output: [], usage: null } });
    expect(h.session.usage).toMatchObject({ responses: 1, total_tokens: 0, costUsd: 0 });
    expect(h.usage).toHaveLength(1);
  });

  it('starts from zero on a new connect()', async () => {
    const h = await live('gpt-realtime');
    h.fake.assistantTurn('One.');
    await h.session.disconnect();
    expect(h.session.usage.responses).toBe(1);
    const again = h.session.connect();
    await until(() => h.transports[1]?.state === 'open');
    h.fake.receive({ type: 'session.created', session: { type: 'realtime', model: 'gpt-realtime' } });
    await again;
    expect(h.session.usage).toMatchObject({ responses: 0, total_tokens: 0 });
  });
});

describe('cost', () => {
  it('has the PROTOCOL.md §8 prices for gpt-realtime and gpt-realtime-mini', () => {
    expect(DEFAULT_PRICES['gpt-realtime']).toEqual({ audioIn: 32, audioCachedIn: 0.4, audioOut: 64, textIn: 4, textCachedIn: 0.4, textOut: 16, imageIn: 5, imageCachedIn: 0.5 });
    expect(DEFAULT_PRICES['gpt-realtime-mini']).toEqual({ audioIn: 10, audioCachedIn: 0.3, audioOut: 20, textIn: 0.6, textCachedIn: 0.06, textOut: 2.4, imageIn: 0.8, imageCachedIn: 0.08 });
  });

  it.each([
    ['gpt-realtime', REALTIME_COST],
    ['gpt-realtime-2025-08-28', REALTIME_COST],
    ['gpt-realtime-mini', MINI_COST],
    ['gpt-realtime-mini-2025-10-06', MINI_COST],
    ['gpt-realtime-2', REALTIME_COST + (300 * (24 - 16)) / 1e6],
  ])('prices %s, cached tokens at the cached rates', async (model, cost) => {
    const h = await live(model);
    h.fake.assistantTurn('Hi.', { usage: USAGE });
    expect(h.session.usage.model).toBe(model);
    expect(h.session.usage.costUsd).toBeCloseTo(cost, 12);
    expect(h.usage[0]!.costUsd).toBeCloseTo(cost, 12);
  });

  it('bills cached tokens without a per-modality split as cached text', async () => {
    const h = await live('gpt-realtime');
    h.fake.assistantTurn('Hi.', {
      usage: { input_tokens: 1000, output_tokens: 0, total_tokens: 1000, input_token_details: { text_tokens: 1000, audio_tokens: 0, cached_tokens: 400 } },
    });
    expect(h.session.usage.costUsd).toBeCloseTo((600 * 4 + 400 * 0.4) / 1e6, 12);
  });

  it('leaves the cost undefined for a model without prices, or none', async () => {
    const unknown = await live('my-local-model');
    unknown.fake.assistantTurn('Hi.', { usage: USAGE });
    expect(unknown.session.usage).toMatchObject({ model: 'my-local-model', costUsd: undefined, total_tokens: 4300 });
    expect(unknown.usage).toHaveLength(1);
    const none = await live(undefined);
    none.fake.assistantTurn('Hi.', { usage: USAGE });
    expect(none.session.usage.costUsd).toBeUndefined();
  });

  it('uses prices given in the options, for new models and over the built-in ones', async () => {
    const prices = { textIn: 1, textCachedIn: 0.5, textOut: 2, audioIn: 10, audioCachedIn: 1, audioOut: 20 };
    const expected = (800 * 1 + 200 * 0.5 + 1500 * 10 + 500 * 1 + 300 * 2 + 1000 * 20) / 1e6;
    const local = await live('my-local-model', { prices: { 'my-local-model': prices } });
    local.fake.assistantTurn('Hi.', { usage: USAGE });
    expect(local.session.usage.costUsd).toBeCloseTo(expected, 12);
    const overridden = await live('gpt-realtime', { prices: { 'gpt-realtime': prices } });
    overridden.fake.assistantTurn('Hi.', { usage: USAGE });
    expect(overridden.session.usage.costUsd).toBeCloseTo(expected, 12);
  });
});

describe('budget', () => {
  it("'warn' emits budget_exceeded once when the cost passes maxUsd, and stays connected", async () => {
    const h = await live('gpt-realtime', { budget: { maxUsd: 0.2 } });
    h.fake.assistantTurn('One.', { usage: USAGE });
    expect(h.errors).toEqual([]);
    h.fake.assistantTurn('Two.', { usage: USAGE });
    expect(h.errors.map((e) => e.code)).toEqual(['budget_exceeded']);
    h.fake.assistantTurn('Three.', { usage: USAGE });
    expect(h.errors).toHaveLength(1);
    expect(h.session.state).toBe('connected');
  });

  it("'disconnect' emits budget_exceeded and ends the session", async () => {
    const h = await live('gpt-realtime', { budget: { maxUsd: 0.1, onExceeded: 'disconnect' } });
    const order: string[] = [];
    h.session.on('error', (e) => order.push(`error:${e.code}`));
    h.session.on('stateChange', (s) => order.push(`state:${s.state}`));
    h.fake.assistantTurn('Expensive.', { usage: USAGE });
    await flush();
    expect(order).toEqual(['error:budget_exceeded', 'state:closing', 'state:closed']);
    expect(h.sequence()).toEqual(['connecting', 'connected', 'closing', 'closed']);
    expect(h.fake.closeCalls).toBe(1);
  });

  it('never fires without known prices', async () => {
    const h = await live('my-local-model', { budget: { maxUsd: 0.000001, onExceeded: 'disconnect' } });
    h.fake.assistantTurn('Hi.', { usage: USAGE });
    expect(h.errors).toEqual([]);
    expect(h.session.state).toBe('connected');
  });
});
