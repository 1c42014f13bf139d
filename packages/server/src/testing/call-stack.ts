/**
 * Test support (not part of the package API): the simulator, a call endpoint in front of it on a
 * loopback `node:http` server, and a controller recording its events.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSim, type SimOptions, type SimServer } from '@rtvoice/sim';
import { connectTestClient, type TestClient, type TestClientOptions } from '@rtvoice/sim/testing';
import { createCallHandler } from '../calls/call-handler.js';
import type { CallHandlerOptions } from '../calls/call-options.js';
import { createCallController, type CallController, type CallControllerOptions } from '../calls/controller.js';
import type { CallEvent } from '../calls/events.js';
import type { CallLogEntry } from '../calls/log.js';
import { toNodeListener } from '../node.js';

/** The standard key the sim accepts on the unified interface and the sideband. */
export const SIM_KEY = 'sk-test-canary-3f9a1c7e5b2d4680';

/** A running stack. */
export interface CallStack {
  sim: SimServer;
  /** `http://127.0.0.1:<port>/api/call`. */
  callUrl: string;
  controller: CallController | undefined;
  /** Every controller event so far. */
  events: CallEvent[];
  /** Every log line so far (endpoint and controller). */
  logs: CallLogEntry[];
  /** Browsers connected through {@link CallStack.connect}. */
  browsers: TestClient[];
  /** Connects a wrtc "browser" through the call endpoint and waits for `session.created`. */
  connect(options?: TestClientOptions): Promise<TestClient>;
  /** Resolves with the first event (received or future) of `type` matching `predicate`. */
  waitEvent<T extends CallEvent['type']>(type: T, predicate?: (e: Extract<CallEvent, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<CallEvent, { type: T }>>;
  close(): Promise<void>;
}

/** Starts the sim, a controller (unless `controller: false`) and the call endpoint. */
export async function startCallStack(
  setup: { sim?: SimOptions; handler?: Omit<CallHandlerOptions, 'controller'>; controller?: CallControllerOptions | false } = {},
): Promise<CallStack> {
  const sim = await startSim(setup.sim);
  const events: CallEvent[] = [];
  const logs: CallLogEntry[] = [];
  const waiters = new Set<() => void>();
  const controller =
    setup.controller === false
      ? undefined
      : createCallController({
          logger: (entry) => logs.push(entry),
          ...setup.controller,
          onEvent: (event) => {
            events.push(event);
            if (setup.controller !== false) setup.controller?.onEvent?.(event);
            for (const w of [...waiters]) w();
          },
        });
  const handler = createCallHandler({
    upstream: `${sim.url}/v1`,
    apiKey: SIM_KEY,
    logger: (entry) => logs.push(entry),
    ...setup.handler,
    ...(controller === undefined ? {} : { controller }),
  });
  const server: Server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const callUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/call`;
  const browsers: TestClient[] = [];
  return {
    sim,
    callUrl,
    controller,
    events,
    logs,
    browsers,
    async connect(options = {}) {
      const browser = await connectTestClient(sim.url, { callUrl, ...options });
      browsers.push(browser);
      return browser;
    },
    waitEvent(type, predicate = () => true, timeoutMs = 10_000) {
      type E = Extract<CallEvent, { type: typeof type }>;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out waiting for ${type}. Got: ${events.map((e) => e.type).join(', ')}`));
        }, timeoutMs);
        const check = () => {
          const found = events.find((e): e is E => e.type === type && predicate(e as E));
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found as never);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const b of browsers.splice(0)) b.close();
      await controller?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sim.close();
    },
  };
}
