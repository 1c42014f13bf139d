import { afterEach } from 'vitest';
import type { SimServer } from '../sim-server.js';
import type { TestClient } from '../testing/rtc-client.js';

/** What a test file started: closed after each test. */
export interface SimCleanup {
  sim: SimServer | undefined;
  clients: TestClient[];
}

/**
 * Registers an `afterEach` that closes every test client and the sim a test
 * started (assign `fx.sim`, push to `fx.clients`), so no peer, timer or socket
 * outlives its test.
 */
export function useSimCleanup(): SimCleanup {
  const fx: SimCleanup = { sim: undefined, clients: [] };
  afterEach(async () => {
    for (const c of fx.clients.splice(0)) c.close();
    await fx.sim?.close();
    fx.sim = undefined;
  });
  return fx;
}
