import { fileURLToPath } from 'node:url';
import { createCallHandler, type CallHandlerOptions } from '@rtvoice/server';
import { createCallController, toNodeListener, type CallControllerOptions, type CallEvent } from '@rtvoice/server/node';
import { listen, pathOf, staticHandler } from './static-server.js';

const PAGES = fileURLToPath(new URL('../pages', import.meta.url));
const WIDGET_DIST = fileURLToPath(new URL('../../packages/widget/dist', import.meta.url));

/** The standard key the sim accepts on the unified interface and the sideband: a canary that must never reach the page. */
export const SIM_KEY = 'sk-e2e-canary-7d41c2b9e06a5f38';

/** One origin serving the client test page, the widget bundle and `/api/call` with a sideband controller. */
export interface CallServer {
  url: string;
  /** Every controller event so far. */
  events: CallEvent[];
  /** Every log line of the endpoint and the controller, as JSON. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * Starts a server whose `/api/call` is `@rtvoice/server`'s `createCallHandler` in front of the sim
 * at `simUrl`, with a `createCallController`. `scenario` picks the sim agent of its calls (the
 * sim's `X-Sim-Scenario` header on the upstream request).
 */
export async function startCallServer(
  simUrl: string,
  setup: { scenario?: string; handler?: Partial<CallHandlerOptions>; controller?: CallControllerOptions } = {},
): Promise<CallServer> {
  const events: CallEvent[] = [];
  const logs: string[] = [];
  const controller = createCallController({
    logger: (entry) => logs.push(JSON.stringify(entry)),
    ...setup.controller,
    onEvent: (event) => {
      events.push(event);
      setup.controller?.onEvent?.(event);
    },
  });
  const handler = createCallHandler({
    upstream: `${simUrl}/v1`,
    apiKey: SIM_KEY,
    logger: (entry) => logs.push(JSON.stringify(entry)),
    fetch: (input, init) =>
      fetch(input, setup.scenario ? { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), 'X-Sim-Scenario': setup.scenario } } : init),
    ...setup.handler,
    controller,
  });
  const calls = toNodeListener(handler);
  const statics = staticHandler({ '/widget/': WIDGET_DIST, '/': PAGES });
  const server = await listen((req, res) => (pathOf(req.url) === '/api/call' ? calls(req, res) : statics(req, res)));
  return {
    url: server.url,
    events,
    logs,
    close: async () => {
      await controller.close();
      await server.close();
    },
  };
}
