/**
 * A canary API key through the whole stack, in both server modes (the token endpoint that mints
 * ephemeral keys, and the call endpoint that posts the page's offer itself): after a spoken turn,
 * the key is in no byte the browser received (every HTTP response body and header, the data
 * channel's events, console messages, the DOM), in no shipped bundle, and in no log line of the
 * server or the sim (run at debug level).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { createTokenHandler } from '@rtvoice/server';
import { toNodeListener } from '@rtvoice/server/node';
import { SIM_KEY, startCallServer } from '../support/call-server.js';
import { recorded, startClient, stopClient, waitFor } from '../support/client-page.js';
import { startSimProcess, type SimProcess } from '../support/sim-process.js';
import { listen, pathOf, staticHandler } from '../support/static-server.js';

const PAGES = fileURLToPath(new URL('../pages', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../packages', import.meta.url));

let sim: SimProcess;
test.beforeAll(async () => {
  sim = await startSimProcess(['--log-level', 'debug']);
});
test.afterAll(async () => {
  await sim.stop();
});

/** Everything the browser received or showed, as text, from the moment this is called. */
function capture(page: Page): () => Promise<string> {
  const seen: string[] = [];
  const pending: Promise<unknown>[] = [];
  page.on('response', (res) => {
    seen.push(JSON.stringify(res.headers()));
    pending.push(res.body().then((b) => seen.push(b.toString('latin1')), () => undefined));
  });
  page.on('console', (m) => seen.push(m.text()));
  page.on('pageerror', (e) => seen.push(String(e)));
  return async () => {
    await Promise.all(pending);
    const r = await recorded(page);
    return [...seen, JSON.stringify(r), await page.content()].join('\n');
  };
}

/** A turn: the fake mic speaks, the parrot answers. */
const aTurn = (page: Page) => waitFor(page, (r) => (r.eventTypes.includes('response.done') ? true : undefined), 30_000, 'a spoken turn');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test('the shipped bundles carry no key', () => {
  const dists = ['client', 'widget', 'server', 'sim'].flatMap((p) => files(join(PACKAGES, p, 'dist')));
  expect(dists.length).toBeGreaterThan(10);
  for (const file of dists) expect(readFileSync(file, 'utf8'), file).not.toMatch(/sk-[A-Za-z0-9-]{16,}/);
});

test('token endpoint mode: the canary key never reaches the browser, nor any log', async ({ page }) => {
  const logs: string[] = [];
  const token = toNodeListener(createTokenHandler({ upstream: `${sim.url}/v1`, apiKey: SIM_KEY, public: true, logger: (e) => logs.push(JSON.stringify(e)) }));
  const statics = staticHandler({ '/widget/': fileURLToPath(new URL('../../packages/widget/dist', import.meta.url)), '/': PAGES });
  const site = await listen((req, res) => (pathOf(req.url) === '/api/token' ? token(req, res) : statics(req, res)));
  try {
    const everything = capture(page);
    await startClient(page, site.url);
    expect((await recorded(page)).connectError).toBeNull();
    await aTurn(page);
    await stopClient(page);
    const seen = await everything();
    expect(seen).toContain('ek_'); // the ephemeral key did reach the page: the capture works
    expect(seen).not.toContain(SIM_KEY);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(SIM_KEY);
    expect(sim.output()).not.toContain(SIM_KEY);
  } finally {
    await site.close();
  }
});

test('call endpoint mode: the canary key never reaches the browser, nor any log', async ({ page }) => {
  const server = await startCallServer(sim.url);
  try {
    const everything = capture(page);
    await startClient(page, server.url, { callUrl: '/api/call' });
    expect((await recorded(page)).connectError).toBeNull();
    await aTurn(page);
    await stopClient(page);
    const seen = await everything();
    expect(seen).toContain('v=0'); // the SDP answer did reach the page: the capture works
    expect(seen).not.toContain(SIM_KEY);
    expect(server.logs.length).toBeGreaterThan(0);
    expect(server.logs.join('\n')).not.toContain(SIM_KEY);
    expect(sim.output()).not.toContain(SIM_KEY);
  } finally {
    await server.close();
  }
});
