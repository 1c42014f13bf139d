import { expect, test } from '@playwright/test';
import { assistantSaid, recorded, startClient, stopClient, waitFor } from '../support/client-page.js';
import { VAD } from '../support/fixtures.js';
import { useStack } from '../support/stack.js';

// A network that drops the UDP WebRTC needs: the sim's `ice=blackhole` fault answers the SDP offer
// (the HTTPS part works) with candidates on a UDP socket that swallows every datagram, so the
// browser's ICE checks go out and nothing comes back. autoTransport() must fall back by itself.

const stack = useStack();

test("transport 'auto': WebRTC blocked, it falls back to the WebSocket and the conversation works", async ({ page }) => {
  await startClient(page, stack().url, { transport: 'auto', webrtcTimeoutMs: 3000, tokenQuery: 'sim_fault=ice=blackhole', session: VAD });
  const r0 = await recorded(page);
  expect(r0.connectError).toBeNull();
  expect(r0.states).toEqual(['connecting', 'connected']);
  // ICE does not fail by itself within 3 s when packets vanish: the fallback's own timeout decides.
  expect(r0.fallbacks?.map((f) => f.code)).toEqual(['connect_timeout']);
  // One SDP offer went out (WebRTC was tried first), then the WebSocket carried the session.
  expect(await page.evaluate(() => (window as unknown as { sdpPosts: () => number }).sdpPosts())).toBe(1);
  await waitFor(page, (r) => assistantSaid(r).find((t) => t.includes('(sim) you spoke for')), 30_000, 'the parrot answer');
  const r = await recorded(page);
  expect(r.appends).toBeGreaterThan(50);
  expect(r.eventTypes).toContain('response.output_audio.delta');
  expect(r.errors).toEqual([]);
  await stopClient(page);
});

test("transport 'auto' on an open network stays on WebRTC", async ({ page }) => {
  await startClient(page, stack().url, { transport: 'auto', session: VAD });
  const r0 = await recorded(page);
  expect(r0.connectError).toBeNull();
  expect(r0.fallbacks).toEqual([]);
  await waitFor(page, (r) => assistantSaid(r).find((t) => t.includes('(sim) you spoke for')), 30_000, 'the parrot answer');
  const r = await recorded(page);
  expect(r.appends).toBe(0);
  expect(r.eventTypes).toContain('output_audio_buffer.started');
  expect(r.eventTypes).not.toContain('response.output_audio.delta');
  await stopClient(page);
});
