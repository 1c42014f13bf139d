/*
 * One contract, two transports: the WebRTC transport against the real sim (with
 * @roamhq/wrtc standing in for the browser's WebRTC), and the FakeTransport the
 * session tests rely on. If the fake drifts from the real thing, this fails.
 */
import wrtc from '@roamhq/wrtc';
import { startSim, type SimServer } from '@rtvoice/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtvoiceError } from '../errors.js';
import { FakeTransport } from '../testing/fake-transport.js';
import type { Transport, TransportEvents } from './transport.js';
import { WebRtcTransport } from './webrtc-transport.js';

const g = globalThis as Record<string, unknown>;
g.RTCPeerConnection ??= wrtc.RTCPeerConnection;
g.MediaStream ??= wrtc.MediaStream;

let sim: SimServer;
let source: InstanceType<typeof wrtc.nonstandard.RTCAudioSource>;
let mic: MediaStreamTrack;
/** A second microphone that is loud (a 440 Hz tone), so the sim's VAD hears it. */
let loudSource: InstanceType<typeof wrtc.nonstandard.RTCAudioSource>;
let loudMic: MediaStreamTrack;
let feed: ReturnType<typeof setInterval>;

beforeAll(async () => {
  sim = await startSim({ port: 0, host: '127.0.0.1' });
  source = new wrtc.nonstandard.RTCAudioSource();
  mic = source.createTrack() as unknown as MediaStreamTrack;
  loudSource = new wrtc.nonstandard.RTCAudioSource();
  loudMic = loudSource.createTrack() as unknown as MediaStreamTrack;
  const samples = new Int16Array(480);
  const tone = Int16Array.from({ length: 480 }, (_, i) => Math.round(12_000 * Math.sin((2 * Math.PI * 440 * i) / 48_000)));
  const frame = (data: Int16Array) => ({ samples: data, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  feed = setInterval(() => {
    source.onData(frame(samples));
    loudSource.onData(frame(tone));
  }, 10);
});

afterAll(async () => {
  clearInterval(feed);
  mic.stop();
  loudMic.stop();
  await sim.close();
});

async function mint(): Promise<{ value: string; callsUrl: string }> {
  const res = await fetch(`${sim.url}/v1/realtime/client_secrets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime' } }),
  });
  const body = (await res.json()) as { value: string };
  return { value: body.value, callsUrl: `${sim.url}/v1/realtime/calls` };
}

function next<K extends keyof TransportEvents>(t: Transport, type: K): Promise<TransportEvents[K]> {
  return new Promise((resolve) => {
    const off = t.on(type, ((...args: TransportEvents[K]) => {
      off();
      resolve(args);
    }) as never);
  });
}

interface Subject {
  name: string;
  create: () => Transport;
  params: () => Promise<{ callsUrl: string; ephemeralKey: string; mic: MediaStreamTrack }>;
}

const subjects: Subject[] = [
  {
    name: 'WebRtcTransport against the sim',
    create: () => new WebRtcTransport(),
    params: async () => {
      const { value, callsUrl } = await mint();
      return { callsUrl, ephemeralKey: value, mic };
    },
  },
  {
    name: 'FakeTransport',
    create: () => new FakeTransport(),
    params: async () => ({ callsUrl: 'https://fake.test/calls', ephemeralKey: 'ek_fake', mic }),
  },
];

describe.each(subjects)('Transport contract: $name', ({ create, params }) => {
  it('connects, receives session.created first, sends, and closes idempotently', async () => {
    const t = create();
    expect(t.state).toBe('idle');
    const first = next(t, 'message');
    await t.connect(await params(), new AbortController().signal);
    expect(t.state).toBe('open');
    const [data] = await first;
    expect(JSON.parse(data)).toMatchObject({ type: 'session.created' });
    expect(() => t.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', instructions: 'hi' } }))).not.toThrow();
    t.close();
    t.close();
    expect(t.state).toBe('closed');
    expect(() => t.send('{}')).toThrow(RtvoiceError);
  });

  it('rejects with aborted when the signal aborts during connect, and ends closed', async () => {
    const t = create();
    const controller = new AbortController();
    const p = params().then((ps) => {
      const pending = t.connect(ps, controller.signal);
      controller.abort();
      return pending;
    });
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
    expect(t.state).toBe('closed');
  });

  it('opens without a mic, then takes one with setMic() and stays open', async () => {
    const t = create();
    await t.connect({ ...(await params()), mic: null }, new AbortController().signal);
    await t.setMic(mic);
    await t.setMic(null);
    await t.setMic(mic);
    expect(t.state).toBe('open');
    expect(() => t.send(JSON.stringify({ type: 'input_audio_buffer.clear' }))).not.toThrow();
    t.close();
  });

  it('connects after an optional prepare() with the same mic', async () => {
    const t = create();
    const signal = new AbortController().signal;
    await t.prepare?.(mic, signal);
    expect(t.state).toBe('idle');
    const first = next(t, 'message');
    await t.connect(await params(), signal);
    expect(t.state).toBe('open');
    expect(JSON.parse((await first)[0])).toMatchObject({ type: 'session.created' });
    t.close();
  });

  it('refuses a second connect() on the same transport', async () => {
    const t = create();
    await t.connect(await params(), new AbortController().signal);
    t.close();
    await expect(t.connect(await params(), new AbortController().signal)).rejects.toMatchObject({ code: 'invalid_state' });
  });
});

describe('WebRtcTransport against the sim', () => {
  it('delivers the server audio track and answers session.update with session.updated', async () => {
    const t = new WebRtcTransport();
    const track = next(t, 'remoteTrack');
    const messages: string[] = [];
    t.on('message', (d) => messages.push(d));
    await t.connect(await params0(), new AbortController().signal);
    const [remote] = await track;
    expect(remote.kind).toBe('audio');
    t.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', instructions: 'Be brief.' } }));
    await expect.poll(() => messages.map((m) => JSON.parse(m) as { type: string; session?: { instructions?: string } }).find((m) => m.type === 'session.updated')?.session?.instructions).toBe('Be brief.');
    t.close();
  });

  it('sends the track given to setMic() after connecting without one: the sim hears it', async () => {
    const t = new WebRtcTransport();
    const messages: Array<{ type: string }> = [];
    t.on('message', (d) => messages.push(JSON.parse(d) as { type: string }));
    await t.connect({ ...(await params0()), mic: null }, new AbortController().signal);
    await t.setMic(loudMic);
    await expect.poll(() => messages.some((m) => m.type === 'input_audio_buffer.speech_started'), { timeout: 5000 }).toBe(true);
    t.close();
  });

  it('records where connect() spent its time', async () => {
    const t = new WebRtcTransport();
    await t.connect(await params0(), new AbortController().signal);
    expect(t.timings.offerMs).toBeGreaterThanOrEqual(0);
    expect(t.timings.sdpMs).toBeGreaterThan(0);
    expect(t.callId).toEqual(expect.any(String));
    t.close();
  });

  it('rejects an unknown key with sdp_rejected 401, without the key in the message', async () => {
    const t = new WebRtcTransport();
    const err = await t
      .connect({ callsUrl: `${sim.url}/v1/realtime/calls`, ephemeralKey: 'ek_not_minted_here_123', mic }, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'sdp_rejected', status: 401 });
    expect((err as Error).message).not.toContain('ek_not_minted_here_123');
    expect(t.state).toBe('closed');
  });

  it('reports network_error when the endpoint is unreachable', async () => {
    const t = new WebRtcTransport();
    await expect(t.connect({ callsUrl: 'http://127.0.0.1:9/v1/realtime/calls', ephemeralKey: 'ek_x', mic }, new AbortController().signal)).rejects.toMatchObject({
      code: 'network_error',
    });
  });

  it("reports the server closing the data channel as 'closed' with data_channel_closed", async () => {
    const res = await fetch(`${sim.url}/v1/realtime/client_secrets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-fault': 'dc=after:300' },
      body: JSON.stringify({ session: { type: 'realtime' } }),
    });
    const { value } = (await res.json()) as { value: string };
    const t = new WebRtcTransport();
    const closed = next(t, 'closed');
    await t.connect({ callsUrl: `${sim.url}/v1/realtime/calls`, ephemeralKey: value, mic }, new AbortController().signal);
    const [reason] = await closed;
    expect(['data_channel_closed', 'ice_failed']).toContain(reason.code);
    expect(t.state).toBe('closed');
  });
});

async function params0() {
  const { value, callsUrl } = await mint();
  return { callsUrl, ephemeralKey: value, mic };
}
