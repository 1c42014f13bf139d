// @vitest-environment happy-dom
/*
 * Fuzzing the inbound side (fast-check): 10,000 frames, arbitrary text and JSON, and the official
 * server-event examples mutated (fields removed or replaced by any JSON value, types swapped,
 * frames cut short), fed to a connected session. Nothing may throw out of the router, the
 * history must stay well formed, the usage totals finite, non-negative and never decreasing,
 * and afterwards a well-formed turn must still land in the history and the usage exactly.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createSession, installMicrophone } from '../../test/harness.js';
import type { HistoryItem } from '../session/history.js';
import type { UsageTotals } from '../session/usage.js';

const fixtures = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../sim/src/test-support/fixtures/ga_openapi_event_examples.openai-openapi.json'), 'utf8'),
) as { server_events: Array<{ event_type: string; example?: Record<string, unknown>; example_is_valid_json?: boolean }> };
const seeds = fixtures.server_events.filter((e) => e.example_is_valid_json && e.example).map((e) => e.example!);
const types = [...new Set(fixtures.server_events.map((e) => e.event_type))];

/** Replaces or removes one field, at the top level or one level down. */
const mutate = (seed: Record<string, unknown>): fc.Arbitrary<unknown> =>
  fc.tuple(fc.nat(), fc.nat(), fc.option(fc.jsonValue(), { nil: undefined }), fc.constantFrom(...types)).map(([i, j, value, type]) => {
    const copy = structuredClone(seed) as Record<string, unknown>;
    const keys = Object.keys(copy);
    const key = keys[i % keys.length]!;
    const inner = copy[key];
    if (j % 4 === 0) copy.type = type; // a valid body under another event's name
    else if (inner && typeof inner === 'object' && !Array.isArray(inner) && j % 4 === 1) {
      const innerKeys = Object.keys(inner);
      if (innerKeys.length) {
        const k = innerKeys[j % innerKeys.length]!;
        if (value === undefined) delete (inner as Record<string, unknown>)[k];
        else (inner as Record<string, unknown>)[k] = value;
      }
    } else if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  });

const frame: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom(...types) }, { requiredKeys: ['type'] }).chain((o) => fc.dictionary(fc.string(), fc.jsonValue()).map((d) => JSON.stringify({ ...d, ...o }))) },
  { weight: 4, arbitrary: fc.constantFrom(...seeds).chain(mutate).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.nat()).map(([s, n]) => JSON.stringify(s).slice(0, n % 200)) },
  { weight: 1, arbitrary: fc.constantFrom(...seeds).map((s) => JSON.stringify(s)) },
);

function wellFormed(item: HistoryItem): boolean {
  if (typeof item.id !== 'string' || !item.id) return false;
  if (item.type === 'message') return ['user', 'assistant', 'system'].includes(item.role) && typeof item.text === 'string';
  if (item.type === 'function_call') return typeof item.callId === 'string' && typeof item.name === 'string' && typeof item.arguments === 'string';
  return false;
}

/** Every number of the usage totals, with its path. */
function numbers(o: unknown, path = ''): Array<[string, number]> {
  if (typeof o === 'number') return [[path, o]];
  if (!o || typeof o !== 'object') return [];
  return Object.entries(o).flatMap(([k, v]) => (k === 'costUsd' && v === undefined ? [] : numbers(v, `${path}.${k}`)));
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('the inbound event decoder and router under arbitrary and mutated frames', () => {
  it('never throws, keeps history and usage sound, and still handles a good turn afterwards', async () => {
    installMicrophone();
    const h = createSession({ reconnect: false });
    await h.session.connect();
    let frames = 0;
    let last: UsageTotals = h.session.usage;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 50, maxLength: 50 }), async (batch) => {
        if (h.session.state !== 'connected') return; // a valid event ended the session: nothing more to feed
        for (const text of batch) {
          expect(() => h.fake.receive(text)).not.toThrow();
          frames += 1;
        }
        await Promise.resolve();
        for (const item of h.session.history) expect(wellFormed(item), JSON.stringify(item)).toBe(true);
        const usage = h.session.usage;
        const before = new Map(numbers(last));
        for (const [path, n] of numbers(usage)) {
          expect(Number.isFinite(n) && n >= 0, `${path} = ${n}`).toBe(true);
          expect(n, `${path} decreased`).toBeGreaterThanOrEqual(before.get(path) ?? 0);
        }
        last = usage;
      }),
      { numRuns: 200, seed: 20261206 },
    );
    expect(frames).toBeGreaterThanOrEqual(9_000);
    if (h.session.state !== 'connected') return;

    // A good turn after the noise: its message and its usage land exactly.
    const usageBefore = h.session.usage;
    const item = { id: 'item_good', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_audio', transcript: 'Still here.' }] };
    h.fake.receive({ type: 'response.created', event_id: 'g1', response: { id: 'resp_good', object: 'realtime.response', status: 'in_progress', output: [] } });
    h.fake.receive({ type: 'conversation.item.added', event_id: 'g2', previous_item_id: null, item: { ...item, status: 'in_progress', content: [] } });
    h.fake.receive({ type: 'response.output_audio_transcript.done', event_id: 'g3', response_id: 'resp_good', item_id: 'item_good', output_index: 0, content_index: 0, transcript: 'Still here.' });
    h.fake.receive({ type: 'conversation.item.done', event_id: 'g4', item });
    h.fake.receive({
      type: 'response.done',
      event_id: 'g5',
      response: { id: 'resp_good', object: 'realtime.response', status: 'completed', output: [item], usage: { total_tokens: 15, input_tokens: 10, output_tokens: 5 } },
    });
    await Promise.resolve();
    expect(h.session.history.find((i) => i.id === 'item_good')).toMatchObject({ role: 'assistant', text: 'Still here.' });
    const after = h.session.usage;
    expect((after.input_tokens ?? 0) - (usageBefore.input_tokens ?? 0)).toBe(10);
    expect((after.output_tokens ?? 0) - (usageBefore.output_tokens ?? 0)).toBe(5);
    expect(after.responses - usageBefore.responses).toBe(1);
    await h.session.disconnect();
  }, 120_000);
});
