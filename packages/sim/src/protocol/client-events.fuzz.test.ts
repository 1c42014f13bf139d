/*
 * Fuzzing the sim's client-event handling (fast-check): arbitrary text and JSON, and the official
 * client-event examples mutated (fields removed or replaced by any JSON value, types swapped,
 * frames cut short), fed to one session as its data channel would. The sim never throws, answers
 * every frame it refuses with an `error` event, keeps every event it sends well formed (a `type`
 * and an `event_id`), and afterwards still answers a plain text turn.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_ID_PATTERN } from './ids.js';
import { gaFixture } from '../test-support/fixtures.js';
import { SessionHarness } from '../test-support/session-harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const seeds = gaFixture.client_events.filter((e) => e.example).map((e) => e.example!);
const types = [...new Set(gaFixture.client_events.map((e) => e.event_type))];

const mutate = (seed: Record<string, unknown>): fc.Arbitrary<unknown> =>
  fc.tuple(fc.nat(), fc.nat(), fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }), fc.constantFrom(...types)).map(([i, j, value, type]) => {
    const copy = structuredClone(seed) as Record<string, unknown>;
    const keys = Object.keys(copy);
    const key = keys[i % keys.length]!;
    const inner = copy[key];
    if (j % 4 === 0) copy.type = type;
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
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 5, arbitrary: fc.constantFrom(...seeds).chain(mutate).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.nat()).map(([s, n]) => JSON.stringify(s).slice(0, n % 200)) },
);

describe("the sim's client-event handling under arbitrary and mutated frames", () => {
  it('never throws, refuses with error events, sends only well-formed events, and still answers a turn', async () => {
    const h = new SessionHarness();
    let frames = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 20, maxLength: 20 }), async (batch) => {
        if (h.session.closed) return;
        for (const text of batch) {
          const before = h.sent.length;
          expect(() => h.client(text)).not.toThrow();
          frames += 1;
          // Not JSON, or not an object with a string type: always refused with an error event.
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          const plain = parsed && typeof parsed === 'object' && !Array.isArray(parsed) && typeof (parsed as { type?: unknown }).type === 'string';
          if (!plain) expect(h.sent.slice(before).map((e) => e.type)).toContain('error');
        }
        await h.idle(50);
        for (const e of h.sent) {
          expect(typeof e.type).toBe('string');
          expect(e.event_id).toMatch(EVENT_ID_PATTERN);
        }
      }),
      { numRuns: 250, seed: 20261206 },
    );
    expect(frames).toBeGreaterThanOrEqual(4_000);
    if (h.session.closed) return;
    // Whatever state the noise left, a cancel, a clear and a text turn get an answer.
    h.client({ type: 'response.cancel' });
    await h.idle(200);
    const from = h.sent.length;
    h.client({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Still there?' }] } });
    h.client({ type: 'response.create' });
    for (let i = 0; i < 100 && !h.types(from).includes('response.done'); i += 1) await h.idle(100);
    expect(h.types(from)).toContain('response.done');
  }, 120_000);
});
