import { describe, expect, it } from 'vitest';
import { msUntilFull, takeToken, type BucketState } from './token-bucket.js';
import { MemoryRateLimitStore } from './memory-store.js';

const rule = { burst: 3, perMinute: 6 }; // one token every 10 s

describe('takeToken', () => {
  it('starts full, empties after burst, refills at the rule rate', () => {
    let state: BucketState | undefined;
    const results = [];
    for (let i = 0; i < 4; i += 1) {
      const step = takeToken(state, rule, 0);
      state = step.state;
      results.push(step.result);
    }
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]!.retryAfterMs).toBe(10_000);
    expect(takeToken(state, rule, 9_999).result.allowed).toBe(false);
    expect(takeToken(state, rule, 10_000).result.allowed).toBe(true);
    expect(takeToken(state, rule, 1_000_000).result.remaining).toBe(2);
  });

  it('does not refill when the clock goes backwards', () => {
    const empty = { tokens: 0, updatedMs: 50_000 };
    const back = takeToken(empty, rule, 10_000);
    expect(back.result.allowed).toBe(false);
    expect(back.state.updatedMs).toBe(50_000);
    expect(msUntilFull(empty, rule)).toBe(30_000);
  });
});

describe('MemoryRateLimitStore', () => {
  it('keeps buckets per key and is exact under concurrent takes', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0 });
    const results = await Promise.all(Array.from({ length: 100 }, () => store.take('a', { burst: 7, perMinute: 1 })));
    expect(results.filter((r) => r.allowed)).toHaveLength(7);
    expect((await store.take('b', { burst: 7, perMinute: 1 })).allowed).toBe(true);
  });

  it('bounds memory by dropping the least recently used buckets', () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ maxKeys: 3, now: () => now });
    for (const key of ['a', 'b', 'c', 'd']) store.takeSync(key, { burst: 1, perMinute: 1 });
    expect(store.size).toBe(3);
    // 'a' was evicted, so it starts full again; 'd' is still empty.
    expect(store.takeSync('a', { burst: 1, perMinute: 1 }).allowed).toBe(true);
    expect(store.takeSync('d', { burst: 1, perMinute: 1 }).allowed).toBe(false);
    now = 120_000;
    expect(store.takeSync('d', { burst: 1, perMinute: 1 }).allowed).toBe(true);
    store.clear();
    expect(store.size).toBe(0);
  });
});
