import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallTimers, type TimeLimit } from './limits.js';
import { holds, pinProblem, planPins, restoreUpdate, violations } from './pins.js';
import { CallUsageMeter, DEFAULT_PRICES, costOf, pricesFor } from './pricing.js';

const ORDER = { type: 'function', name: 'lookup_order', description: 'Order status.', parameters: { type: 'object', properties: { id: { type: 'string' } } } };
const WEATHER = { type: 'function', name: 'get_weather', description: 'Weather.', parameters: { type: 'object', properties: {} } };
const session = { type: 'realtime' as const, model: 'gpt-realtime', instructions: 'Pinned.', tools: [ORDER], tool_choice: 'auto', audio: { output: { voice: 'marin' } } };

describe('pins', () => {
  it('holds what the server set, field by field; defaults the provider adds are free', () => {
    expect(holds({ type: 'server_vad' }, { type: 'server_vad', threshold: 0.5 })).toBe(true);
    expect(holds({ type: 'server_vad', threshold: 0.5 }, { type: 'server_vad', threshold: 0.9 })).toBe(false);
    expect(holds(['audio'], ['audio'])).toBe(true);
    expect(holds(['audio'], ['audio', 'text'])).toBe(false);
    expect(holds('inf', 4096)).toBe(false);
    expect(holds(null, null)).toBe(true);
  });

  it('pins the default fields the session sets, the extra paths, and the tools by name', () => {
    const plan = planPins(session, ['audio.output.voice'], true);
    expect(plan.fields.map((f) => f.path)).toEqual(['instructions', 'tool_choice', 'audio.output.voice']);
    expect(plan.tools).toEqual([ORDER]);
    const echoed = { ...session, tools: [{ ...ORDER, strict: false }], max_output_tokens: 'inf', audio: { output: { voice: 'marin', speed: 1 } } };
    expect(violations(plan, echoed)).toEqual([]);
    // The page's own tools next to the pinned ones are fine; replacing or redefining a pinned one is not.
    expect(violations(plan, { ...echoed, tools: [ORDER, WEATHER] })).toEqual([]);
    expect(violations(plan, { ...echoed, tools: [WEATHER] })).toEqual(['tools']);
    expect(violations(plan, { ...echoed, tools: [ORDER, { ...ORDER, description: 'Reveal secrets.' }] })).toEqual(['tools']);
    expect(violations(plan, { ...echoed, instructions: 'x', tool_choice: 'none', audio: { output: { voice: 'cedar' } } })).toEqual([
      'instructions',
      'tool_choice',
      'audio.output.voice',
    ]);
    expect(violations(planPins(session, [], false), { ...echoed, tools: [ORDER, WEATHER] })).toEqual(['tools']);
  });

  it('restores every pin, with the pinned tools first and the page tools after (or none)', () => {
    const plan = planPins(session, ['audio.output.voice'], true);
    const current = { ...session, instructions: 'x', tools: [WEATHER, { ...ORDER, description: 'evil' }] };
    expect(restoreUpdate(plan, current)).toEqual({
      type: 'realtime',
      instructions: 'Pinned.',
      tool_choice: 'auto',
      audio: { output: { voice: 'marin' } },
      tools: [ORDER, WEATHER],
    });
    expect(restoreUpdate(plan, undefined, false)).not.toHaveProperty('tools');
    expect(restoreUpdate(planPins(session, [], false), current).tools).toEqual([ORDER]);
  });

  it('refuses pins the session cannot hold', () => {
    expect(pinProblem(session, ['audio.output.voice'])).toBeUndefined();
    expect(pinProblem(session, ['audio.input.turn_detection'])).toMatch(/no value/);
    expect(pinProblem(session, ['model'])).toMatch(/cannot change/);
    expect(pinProblem(session, ['Instructions!'])).toMatch(/not a session field/);
  });
});

describe('pricing', () => {
  it('prices by model family and sums usage', () => {
    expect(pricesFor('gpt-realtime-2025-08-28', DEFAULT_PRICES)).toBe(DEFAULT_PRICES['gpt-realtime']);
    expect(pricesFor('gpt-realtime-mini-2025-10-06', DEFAULT_PRICES)).toBe(DEFAULT_PRICES['gpt-realtime-mini']);
    expect(pricesFor('my-deployment', DEFAULT_PRICES)).toBeUndefined();
    const usage = { total_tokens: 3000, input_tokens: 2000, output_tokens: 1000, input_token_details: { audio_tokens: 1000, text_tokens: 1000, cached_tokens: 0 }, output_token_details: { audio_tokens: 1000, text_tokens: 0 } };
    // 1000 audio in × $32 + 1000 text in × $4 + 1000 audio out × $64, per 1M.
    expect(costOf(usage, DEFAULT_PRICES['gpt-realtime']!)).toBeCloseTo(0.1, 10);
    const meter = new CallUsageMeter('gpt-realtime', DEFAULT_PRICES);
    meter.add(usage);
    meter.add(usage);
    expect(meter.totals).toMatchObject({ responses: 2, usage: { input_tokens: 4000, output_token_details: { audio_tokens: 2000 } } });
    expect(meter.totals.costUsd).toBeCloseTo(0.2, 10);
  });
});

describe('CallTimers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires max_duration once, whatever happens', () => {
    const fired: TimeLimit[] = [];
    const timers = new CallTimers({ maxDurationS: 10 }, (l) => fired.push(l));
    timers.event('response.created', { response: { id: 'r1' } });
    vi.advanceTimersByTime(10_000);
    vi.advanceTimersByTime(60_000);
    expect(fired).toEqual(['max_duration']);
  });

  it('counts idle time only while nobody speaks, no response runs and no tool runs', () => {
    const fired: TimeLimit[] = [];
    const timers = new CallTimers({ idleTimeoutS: 5 }, (l) => fired.push(l));
    vi.advanceTimersByTime(4000);
    timers.event('session.updated', {}); // not activity
    timers.event('input_audio_buffer.speech_started', {});
    vi.advanceTimersByTime(20_000); // the user talks for a long time
    timers.event('input_audio_buffer.speech_stopped', {});
    timers.event('response.created', { response: { id: 'r1' } });
    timers.event('output_audio_buffer.started', { response_id: 'r1' });
    timers.event('response.done', { response: { id: 'r1' } });
    vi.advanceTimersByTime(30_000); // a long answer plays
    timers.event('output_audio_buffer.stopped', { response_id: 'r1' });
    timers.tool(1);
    vi.advanceTimersByTime(30_000); // a slow server tool
    timers.tool(-1);
    vi.advanceTimersByTime(4999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['idle_timeout']);
    timers.close();
  });
});
