import { expect, test } from '@playwright/test';
import { recorded, startClient, stopClient } from '../support/client-page.js';
import { useStack } from '../support/stack.js';

// Every fault the sim injects, seen through the real path: browser client →
// @rtvoice/server token endpoint → sim. Each must give the user a clear,
// typed error (or degrade as documented) and leave nothing open.

const stack = useStack();

const fault = (spec: string) => `sim_fault=${encodeURIComponent(spec)}`;

test.describe('token minting faults (client_secrets)', () => {
  for (const [spec, status] of [
    ['client_secrets=400', 502],
    ['client_secrets=500', 502],
    // The upstream's own auth and quota state is not the caller's business: 502/503, the detail in the server's logs.
    ['client_secrets=401', 502],
    ['client_secrets=429', 503],
    ['client_secrets=timeout', 504],
  ] as const) {
    test(`${spec} reaches the browser as token_fetch_failed (${status}) with the mic released`, async ({ page }) => {
      await startClient(page, stack().url, { tokenQuery: fault(spec) });
      const r = await recorded(page);
      expect(r.connectError).toMatchObject({ code: 'token_fetch_failed', status });
      expect(r.states).toEqual(['connecting', 'failed']);
      expect(r.errors.map((e) => e.code)).toEqual(['token_fetch_failed']);
      await expect.poll(async () => (await recorded(page)).openedMicStates).toEqual(['ended']);
    });
  }

  test('client_secrets=delay:800 only slows the connect down', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: fault('client_secrets=delay:800') });
    const r = await recorded(page);
    expect(r.connectError).toBeNull();
    expect(r.states).toEqual(['connecting', 'connected']);
    expect(r.metrics!.tokenMs).toBeGreaterThanOrEqual(800);
    await stopClient(page);
  });
});

test.describe('SDP faults (calls)', () => {
  // The service's own message for each status reaches the app in the error (the key never does).
  for (const [spec, status, text] of [
    ['calls=400', 400, 'SDP offer refused (400): Invalid SDP offer. Please try again with a WHIP-compliant offer.'],
    ['calls=401', 401, 'SDP offer refused (401): Incorrect API key provided.'],
    ['calls=429', 429, 'SDP offer refused (429): You exceeded your current quota, please check your plan and billing details.'],
    ['calls=500', 500, 'SDP offer refused (500): The server had an error while processing your request. Sorry about that!'],
  ] as const) {
    test(`${spec} becomes sdp_rejected ${status}`, async ({ page }) => {
      await startClient(page, stack().url, { tokenQuery: fault(spec) });
      const r = await recorded(page);
      expect(r.connectError, JSON.stringify(r.connectError)).toMatchObject({ code: 'sdp_rejected', status, retryable: status === 429 || status >= 500 });
      expect(r.connectError!.message).toBe(text);
      expect(r.states).toEqual(['connecting', 'failed']);
      expect(r.openedMicStates).toEqual(['ended']);
    });
  }

  test('calls=delay:800 only slows the connect down', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: fault('calls=delay:800') });
    const r = await recorded(page);
    expect(r.connectError).toBeNull();
    expect(r.metrics!.dataChannelOpenMs - r.metrics!.tokenMs).toBeGreaterThanOrEqual(800);
    await stopClient(page);
  });

  test('calls=timeout ends in connect_timeout, not a hang', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: fault('calls=timeout'), connectTimeoutMs: 2500 });
    const r = await recorded(page);
    expect(r.connectError).toMatchObject({ code: 'connect_timeout' });
    expect(r.states).toEqual(['connecting', 'failed']);
    expect(r.openedMicStates).toEqual(['ended']);
  });

  test('an expired key is refused with 401 and the client says so', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: fault('key_ttl=1'), tokenDelayMs: 1500 });
    const r = await recorded(page);
    expect(r.connectError).toMatchObject({ code: 'sdp_rejected', status: 401 });
    expect(r.connectError!.message).toContain('expired');
  });
});

test.describe('session faults', () => {
  test('dc=mid_response: with reconnection off, the data channel closing mid-answer fails the session cleanly', async ({ page }) => {
    // Reconnection (on by default) is covered by client-api.spec.ts; here the loss must end the session.
    await startClient(page, stack().url, { tokenQuery: fault('dc=mid_response'), reconnect: false });
    await expect.poll(async () => (await recorded(page)).states, { timeout: 20_000 }).toEqual(['connecting', 'connected', 'failed']);
    const r = await recorded(page);
    expect(r.errors.map((e) => e.code)).toContain('data_channel_closed');
    expect(r.eventTypes).toContain('response.created');
    expect(r.micState).toBe('ended');
    expect(r.openedMicStates).toEqual(['ended']);
  });

  test('audio=stop: events flow but no audio arrives', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: fault('audio=stop') });
    await expect.poll(async () => (await recorded(page)).eventTypes, { timeout: 20_000 }).toContain('response.done');
    const r = await recorded(page);
    expect(r.maxOutputLevel).toBeLessThan(0.005);
    expect(r.states).toEqual(['connecting', 'connected']);
    await stopClient(page);
  });

  test('malformed=after_created: a broken frame is reported and the session goes on', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: fault('malformed=after_created') });
    await expect.poll(async () => (await recorded(page)).errors.map((e) => e.code), { timeout: 10_000 }).toEqual(['malformed_event']);
    await expect.poll(async () => (await recorded(page)).eventTypes, { timeout: 20_000 }).toContain('response.done');
    expect((await recorded(page)).states).toEqual(['connecting', 'connected']);
    await stopClient(page);
  });
});

test('the sim survives clients that leave right after connecting, and keeps serving', async ({ page }) => {
  await page.goto(`${stack().url}/client.html`);
  await page.evaluate(() => (window as unknown as { flap: (n: number) => Promise<void> }).flap(10));
  await startClient(page, stack().url);
  const r = await recorded(page);
  expect(r.connectError).toBeNull();
  await expect.poll(async () => (await recorded(page)).eventTypes, { timeout: 20_000 }).toContain('response.done');
  await stopClient(page);
  expect((await recorded(page)).openedMicStates.every((s) => s === 'ended')).toBe(true);
});
