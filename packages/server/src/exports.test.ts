/**
 * The public surface, as a snapshot: adding or removing an export is a deliberate change.
 */
import { describe, expect, it } from 'vitest';
import * as root from './index.js';
import * as node from './node.js';

describe('public exports', () => {
  it('@rtvoice/server', () => {
    expect(Object.keys(root).sort()).toEqual([
      'CLIENT_OVERRIDE_KEYS',
      'DEFAULT_PER_IP',
      'DEFAULT_PER_USER',
      'DEFAULT_SESSION',
      'ERROR_STATUS',
      'MemoryRateLimitStore',
      'OPENAI_UPSTREAM',
      'RedisRateLimitStore',
      'TOKEN_BUCKET_LUA',
      'TokenHandlerError',
      'createTokenHandler',
      'hashUserId',
      'isTokenHandlerError',
    ]);
  });

  it('@rtvoice/server/node', () => {
    expect(Object.keys(node).sort()).toEqual(['toNodeListener', 'toNodeMiddleware']);
  });

  it('importing has no side effects on globals', async () => {
    const before = Object.keys(globalThis).sort();
    await import('./index.js');
    expect(Object.keys(globalThis).sort()).toEqual(before);
  });
});
