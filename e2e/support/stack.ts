import { test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { createTokenHandler } from '@rtvoice/server';
import { toNodeListener } from '@rtvoice/server/node';
import { listen, pathOf, staticHandler } from './static-server.js';
import { startSimProcess, type SimProcess } from './sim-process.js';

const PAGES = fileURLToPath(new URL('../pages', import.meta.url));
const WIDGET_DIST = fileURLToPath(new URL('../../packages/widget/dist', import.meta.url));

/**
 * The whole production path on loopback: a sim process, and one origin serving
 * the client test page, the widget bundle and `/api/token` (the real
 * `@rtvoice/server` handler minting from the sim). `/api/token?sim_fault=…&sim_scenario=…`
 * forwards those as the sim's `X-Sim-Fault` / `X-Sim-Scenario` headers, so a
 * fault or scenario rides on the minted key like any real session setting
 * (`sim_fault_times=N`: on the first N token requests only, so the same page
 * can connect again without it).
 */
export interface Stack {
  url: string;
  sim: SimProcess;
  /** The token endpoint's log lines so far (JSON), for a failed test's report. */
  tokenLog: string[];
  close(): Promise<void>;
}

export async function startStack(simArgs: string[] = []): Promise<Stack> {
  // Info level: a failed test's report says what the sim did (minted, faulted, closed).
  const sim = await startSimProcess(simArgs.includes('--log-level') ? simArgs : ['--log-level', 'info', ...simArgs]);
  const tokenLog: string[] = [];
  const statics = staticHandler({ '/widget/': WIDGET_DIST, '/': PAGES });
  const handlers = new Map<string, ReturnType<typeof toNodeListener>>();
  const handlerFor = (fault: string, scenario: string) => {
    const key = `${fault}|${scenario}`;
    let handler = handlers.get(key);
    if (!handler) {
      const headers: Record<string, string> = {};
      if (fault) headers['X-Sim-Fault'] = fault;
      if (scenario) headers['X-Sim-Scenario'] = scenario;
      handler = toNodeListener(
        createTokenHandler({
          upstream: `${sim.url}/v1`,
          rateLimit: false,
          timeoutMs: 2000,
          logger: (entry) => void tokenLog.push(JSON.stringify({ ...entry, fault, scenario })),
          fetch: (input, init) => fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), ...headers } }),
        }),
      );
      handlers.set(key, handler);
    }
    return handler;
  };
  /** Uses of each fault so far, by query parameter and value. */
  const faultUses = new Map<string, number>();
  /**
   * The fault `url` asks for with `param`, if it still applies: `<param>_times=N` applies it to
   * the first N requests that ask for it only (counted per value).
   */
  const pickFault = (url: URL, param: string): string => {
    const fault = url.searchParams.get(param) ?? '';
    const times = Number(url.searchParams.get(`${param}_times`) ?? Infinity);
    const key = `${param}=${fault}`;
    const used = faultUses.get(key) ?? 0;
    if (!fault || used >= times) return '';
    faultUses.set(key, used + 1);
    return fault;
  };
  const server = await listen((req, res) => {
    if (pathOf(req.url) !== '/api/token') return statics(req, res);
    const url = new URL(req.url ?? '/', 'http://x');
    // A token endpoint that misbehaves itself (not the provider behind it).
    const tokenFault = pickFault(url, 'token_fault');
    if (tokenFault) {
      req.resume();
      if (tokenFault === 'hang') return; // never answered (closed with the stack)
      if (tokenFault === '500') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"internal","message":"Token endpoint crashed."}}');
      if (tokenFault === 'malformed') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"value": "ek_');
      if (tokenFault === 'shape') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":{"secret":"ek_nope"}}');
    }
    const simFault = pickFault(url, 'sim_fault');
    return handlerFor(simFault, url.searchParams.get('sim_scenario') ?? '')(req, res);
  });
  return {
    url: server.url,
    sim,
    tokenLog,
    close: async () => {
      await server.close();
      await sim.stop();
    },
  };
}

/**
 * Registers hooks that start one stack for the spec file, attach the sim's log
 * to failed tests, and close the stack at the end. Returns a getter.
 */
export function useStack(simArgs: string[] = []): () => Stack {
  let stack: Stack | undefined;
  test.beforeAll(async () => {
    stack = await startStack(simArgs);
  });
  test.afterEach(async ({}, info) => {
    // On failure, keep the sim's log with the report: it says what the server saw.
    if (stack && info.status !== info.expectedStatus) {
      await info.attach('sim.log', { body: tail(stack.sim.output().split('\n'), 80), contentType: 'text/plain' });
      await info.attach('token-endpoint.log', { body: tail(stack.tokenLog, 30), contentType: 'text/plain' });
    }
  });
  test.afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error('the stack is not started yet');
    return stack;
  };
}

/** The last `n` lines: enough to see what led to a failure without flooding the report. */
function tail(lines: string[], n: number): string {
  return (lines.length > n ? [`… ${lines.length - n} earlier lines`, ...lines.slice(-n)] : lines).join('\n');
}
