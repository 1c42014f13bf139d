/**
 * The public surface, as a snapshot: adding or removing an export is a deliberate change.
 */
import { describe, expect, it } from 'vitest';
import * as root from './index.js';
import * as node from './node.js';

describe('public exports', () => {
  it('@rtvoice/server', () => {
    expect(Object.keys(root).sort()).toEqual([
      'CALL_ERROR_STATUS',
      'CALL_SLOTS_LUA',
      'CLIENT_OVERRIDE_KEYS',
      'CallHandlerError',
      'DEFAULT_PER_IP',
      'DEFAULT_PER_USER',
      'DEFAULT_SESSION',
      'ERROR_STATUS',
      'MemoryCallSlotStore',
      'MemoryRateLimitStore',
      'OPENAI_UPSTREAM',
      'RedisCallSlotStore',
      'RedisRateLimitStore',
      'TOKEN_BUCKET_LUA',
      'TokenHandlerError',
      'createCallHandler',
      'createTokenHandler',
      'hashUserId',
      'hmacUserId',
      'isCallHandlerError',
      'isTokenHandlerError',
    ]);
  });

  it('@rtvoice/server/node', () => {
    expect(Object.keys(node).sort()).toEqual(['DEFAULT_PRICES', 'createCallController', 'toNodeListener', 'toNodeMiddleware']);
  });

  it('importing has no side effects on globals', async () => {
    const before = Object.keys(globalThis).sort();
    await import('./index.js');
    expect(Object.keys(globalThis).sort()).toEqual(before);
  });
});
