import { fileURLToPath } from 'node:url';
import { createTokenHandler } from '@rtvoice/server';
import { toNodeListener } from '@rtvoice/server/node';
import { startTcpDelay, type TcpDelay } from '@rtvoice/sim/testing';
import { startSimProcess, type SimProcess } from '../support/sim-process.js';
import { listen, pathOf, staticHandler } from '../support/static-server.js';

const dir = (rel: string) => fileURLToPath(new URL(rel, import.meta.url)).replace(/\/$/, '');

/** One-way delays of a benchmark network, in ms. */
export interface Delays {
  /** Browser ↔ Realtime endpoint (the sim): HTTP, WebSocket and media. */
  realtime: number;
  /** Browser ↔ the site (its pages and its token endpoint). */
  site: number;
}

/** The network the benchmarks report: 80 ms round trip to the Realtime endpoint, 20 ms to the site. */
export const REALISTIC: Delays = { realtime: 40, site: 10 };
/** Bare loopback. */
export const LOOPBACK: Delays = { realtime: 0, site: 0 };

/** A running bench stack: see {@link startBenchStack}. */
export interface BenchStack {
  /** The site: bench pages, the widget bundle, the Agents SDK bundle and `POST /token[?sim_scenario=]`. */
  siteUrl: string;
  /** The Realtime endpoint as the browser reaches it. */
  simUrl: string;
  sim: SimProcess;
  delays: Delays;
  /** Ends every connection the browser holds to the site and the endpoint: the next connect is a new visitor's. */
  coldStart(): void;
  close(): Promise<void>;
}

/**
 * The production path with network delay in user space. A sim process whose
 * calls carry their media through its delaying UDP relay (`--delay-ms`); the
 * browser reaches its HTTP and WebSocket port through a TCP delay, and so does
 * the token endpoint (a separate, warm connection, as a server's to its
 * provider). One site origin, behind its own TCP delay, serves the pages and a
 * real `@rtvoice/server` token endpoint. Each minted key's `calls_url` carries
 * a fresh query, so no connect finds the browser's CORS preflight cached.
 */
export async function startBenchStack(delays: Delays, simArgs: string[] = []): Promise<BenchStack> {
  const sim = await startSimProcess([
    ...(delays.realtime > 0 ? ['--delay-ms', String(delays.realtime)] : []),
    '--scenario',
    dir('./scenarios/bench-greeting.json'),
    ...simArgs,
  ]);
  const fronts: TcpDelay[] = [];
  /** The browser's own connections, dropped by coldStart(). */
  const browserFronts: TcpDelay[] = [];
  const delayed = async (url: string, delayMs: number, browser = true) => {
    if (delayMs === 0) return url;
    const front = await startTcpDelay({ target: { host: '127.0.0.1', port: Number(new URL(url).port) }, delayMs });
    fronts.push(front);
    if (browser) browserFronts.push(front);
    return `http://127.0.0.1:${front.port}`;
  };
  try {
    const direct = /without the network delay: (http:\/\/\S+)/.exec(sim.output())?.[1] ?? sim.url;
    const simUrl = await delayed(direct, delays.realtime);
    const providerUrl = await delayed(direct, delays.realtime, false);
    const statics = staticHandler({
      '/vendor/': dir('../node_modules/@openai/agents-realtime/dist/bundle/'),
      '/widget/': dir('../../packages/widget/dist/'),
      '/': dir('../pages/bench/'),
    });
    let mints = 0;
    const handlers = new Map<string, ReturnType<typeof toNodeListener>>();
    const tokenHandler = (scenario: string) => {
      let handler = handlers.get(scenario);
      if (!handler) {
        const mint = createTokenHandler({
          upstream: `${providerUrl}/v1`,
          rateLimit: false,
          timeoutMs: 5000,
          fetch: (input, init) => fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), ...(scenario && { 'X-Sim-Scenario': scenario }) } }),
        });
        handler = toNodeListener(async (request: Request) => {
          const res = await mint(request);
          if (!res.ok) return res;
          const body = (await res.json()) as { calls_url: string };
          // The browser posts its offer to the endpoint it reaches (through its delay), at a URL it has not preflighted yet.
          body.calls_url = `${simUrl}/v1/realtime/calls?visit=${(mints += 1)}`;
          return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
        });
        handlers.set(scenario, handler);
      }
      return handler;
    };
    const site = await listen((req, res) => {
      if (pathOf(req.url) !== '/token') return statics(req, res);
      return tokenHandler(new URL(req.url ?? '/', 'http://x').searchParams.get('sim_scenario') ?? '')(req, res);
    });
    const siteUrl = await delayed(site.url, delays.site);
    return {
      siteUrl,
      simUrl,
      sim,
      delays,
      coldStart: () => browserFronts.forEach((f) => f.dropConnections()),
      close: async () => {
        for (const f of fronts) await f.close();
        await site.close();
        await sim.stop();
      },
    };
  } catch (error) {
    for (const f of fronts) await f.close();
    await sim.stop();
    throw error;
  }
}
