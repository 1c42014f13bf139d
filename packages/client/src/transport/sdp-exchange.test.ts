import { describe, expect, it, vi } from 'vitest';
import { exchangeSdp } from './sdp-exchange.js';

const OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n';
const signal = () => new AbortController().signal;

describe('exchangeSdp', () => {
  it('POSTs the offer with the key and returns the answer and call id', async () => {
    const fetch = vi.fn(async () => new Response('v=0\r\nanswer', { status: 201, headers: { Location: '/v1/realtime/calls/rtc_abc' } }));
    const answer = await exchangeSdp('http://127.0.0.1:1/v1/realtime/calls', 'ek_secret', OFFER, signal(), fetch as never);
    expect(answer).toEqual({ sdp: 'v=0\r\nanswer', callId: 'rtc_abc' });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:1/v1/realtime/calls');
    expect(init.body).toBe(OFFER);
    expect(init.headers).toMatchObject({ Authorization: 'Bearer ek_secret', 'Content-Type': 'application/sdp' });
  });

  it("without a key, POSTs to the app's call endpoint with the app's headers and credentials, and no Authorization", async () => {
    const fetch = vi.fn(async () => new Response('v=0\r\nanswer', { status: 201 }));
    const answer = await exchangeSdp('/api/call', '', OFFER, signal(), fetch as never, { headers: { 'X-CSRF': 't1' }, credentials: 'include' });
    expect(answer).toEqual({ sdp: 'v=0\r\nanswer', callId: undefined });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/call');
    expect(init.headers).toEqual({ 'X-CSRF': 't1', 'Content-Type': 'application/sdp' });
    expect(init.credentials).toBe('include');
  });

  it('with a key, never sends the app credentials to the Realtime endpoint', async () => {
    const fetch = vi.fn(async () => new Response('v=0\r\nanswer', { status: 201 }));
    await exchangeSdp('https://api.openai.com/v1/realtime/calls', 'ek_k', OFFER, signal(), fetch as never, { headers: { Cookie: 'x' }, credentials: 'include' });
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.headers).toEqual({ Authorization: 'Bearer ek_k', 'Content-Type': 'application/sdp' });
    expect(init.credentials).toBeUndefined();
  });

  it("turns a JSON error into sdp_rejected with the server's message, never the key", async () => {
    const body = { error: { message: 'Invalid SDP offer. Please try again with a WHIP-compliant offer.', type: 'invalid_request_error', code: 'invalid_offer', param: null } };
    const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status: 400 }));
    const err = await exchangeSdp('http://x/calls', 'ek_secret', OFFER, signal(), fetch as never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'sdp_rejected', status: 400, retryable: false });
    expect((err as Error).message).toContain('WHIP-compliant');
  });

  it('redacts key fragments the server echoes', async () => {
    const body = { error: { message: 'Incorrect API key provided: ek_abc123XYZ. Check it.' } };
    const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status: 401 }));
    const err = (await exchangeSdp('http://x/calls', 'ek_abc123XYZ', OFFER, signal(), fetch as never).catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain('ek_abc123XYZ');
    expect(err.message).toContain('[redacted]');
  });

  it('marks 429 and 5xx as retryable', async () => {
    for (const status of [429, 503]) {
      const fetch = vi.fn(async () => new Response('{}', { status }));
      await expect(exchangeSdp('http://x/calls', 'ek_k', OFFER, signal(), fetch as never)).rejects.toMatchObject({ retryable: true, status });
    }
  });

  it('reports an unreachable endpoint as network_error and an abort as aborted', async () => {
    const down = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(exchangeSdp('http://x/calls', 'ek_k', OFFER, signal(), down as never)).rejects.toMatchObject({ code: 'network_error' });
    const controller = new AbortController();
    controller.abort();
    await expect(exchangeSdp('http://x/calls', 'ek_k', OFFER, controller.signal, down as never)).rejects.toMatchObject({ code: 'aborted' });
  });

  it('refuses a 2xx that is not SDP', async () => {
    const fetch = vi.fn(async () => new Response('<html>proxy</html>', { status: 200 }));
    await expect(exchangeSdp('http://x/calls', 'ek_k', OFFER, signal(), fetch as never)).rejects.toMatchObject({ code: 'sdp_rejected' });
  });
});
