import { expect, test } from '@playwright/test';
import { chromiumArgs } from '../support/chromium.js';
import { assistantSaid, recorded, startClient, stopClient, waitFor } from '../support/client-page.js';
import { useStack } from '../support/stack.js';

// A network that blocks the UDP WebRTC needs: Chromium's policy for networks
// that only allow proxied traffic gives WebRTC no UDP candidate, so ICE cannot
// connect. `autoTransport()` must fall back to the WebSocket by itself.
test.use({
  launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...chromiumArgs(), '--force-webrtc-ip-handling-policy=disable_non_proxied_udp'] },
});

const stack = useStack();
const VAD = { audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 600 } } } };

test("transport 'auto' falls back to the WebSocket and the conversation works", async ({ page }) => {
  await startClient(page, stack().url, { transport: 'auto', webrtcTimeoutMs: 3000, session: VAD });
  const r0 = await recorded(page);
  expect(r0.connectError).toBeNull();
  expect(r0.fallbacks?.map((f) => f.code)).toHaveLength(1);
  expect(['ice_failed', 'connect_timeout']).toContain(r0.fallbacks![0]!.code);
  await waitFor(page, (r) => assistantSaid(r).find((t) => t.includes('(sim) you spoke for')), 30_000, 'the parrot answer');
  const r = await recorded(page);
  expect(r.appends).toBeGreaterThan(50);
  expect(r.eventTypes).toContain('response.output_audio.delta');
  await stopClient(page);
});
