/*
 * One contract, three transports: the WebRTC and WebSocket transports against
 * the real sim (with @roamhq/wrtc standing in for the browser's WebRTC, `ws` for
 * its WebSocket, and test/node-audio.ts running the real audio worklet), and the
 * FakeTransport the session tests rely on. If the fake drifts from the real
 * things, or one transport from the other, this fails.
 */
import wrtc from '@roamhq/wrtc';
import { WebSocket as NodeWebSocket } from 'ws';
import { installNodeAudio } from '../../test/node-audio.js';
import { startSim, type SimServer } from '@rtvoice/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtvoiceError } from '../errors.js';
import { FakeTransport } from '../testing/fake-transport.js';
import type { Transport, TransportEvents } from './transport.js';
import { WebRtcTransport } from './webrtc-transport.js';
import { AutoTransport } from './auto-transport.js';
import { WebSocketTransport, type WebSocketTransportOptions } from './websocket-transport.js';

const g = globalThis as Record<string, unknown>;
g.RTCPeerConnection ??= wrtc.RTCPeerConnection;
g.MediaStream ??= wrtc.MediaStream;
g.WebSocket ??= NodeWebSocket;
installNodeAudio();

/** The worklet is served next to the module in a browser; here the Node audio fake loads it from disk. */
const WS_OPTIONS: WebSocketTransportOptions = { workletUrl: 'http://app.test/rtvoice-audio-worklet.js', echoCancellationLoopback: false };

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
    name: 'WebSocketTransport against the sim',
    create: () => new WebSocketTransport(WS_OPTIONS),
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
    expect(reason.code).toBe('data_channel_closed');
    expect(t.state).toBe('closed');
  });

  it("reports the network going dead mid-call (ice=cut_after) as 'closed' with ice_failed, after its disconnect grace", async () => {
    const t = new WebRtcTransport({ disconnectGraceMs: 300 });
    const closed = next(t, 'closed');
    await t.connect(await mintWith('?sim_fault=ice%3Dcut_after%3A500'), new AbortController().signal);
    expect(t.state).toBe('open');
    const [reason] = await closed;
    expect(reason.code).toBe('ice_failed');
    expect(reason.message).toMatch(/^The WebRTC connection was lost: ICE (disconnected for 300 ms|failed)\.$/);
    expect(t.state).toBe('closed');
  }, 30_000);

  it('while ICE gets no answer (ice=blackhole), says it waits for ICE; an abort then closes it', async () => {
    const t = new WebRtcTransport();
    expect(t.waitingFor).toBeUndefined();
    const abort = new AbortController();
    const pending = t.connect(await mintWith('?sim_fault=ice%3Dblackhole'), abort.signal).catch((e: RtvoiceError) => e);
    const seen = new Set<string | undefined>();
    const until = Date.now() + 10_000;
    while (!seen.has('ICE: no network path to the media server yet, UDP may be blocked') && Date.now() < until) {
      seen.add(t.waitingFor);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect([...seen]).toContain('the SDP answer');
    expect([...seen]).toContain('ICE: no network path to the media server yet, UDP may be blocked');
    abort.abort();
    expect(await pending).toMatchObject({ code: 'aborted' });
    expect(t.state).toBe('closed');
    expect(t.waitingFor).toBeUndefined();
  }, 20_000);
});

async function params0() {
  const { value, callsUrl } = await mint();
  return { callsUrl, ephemeralKey: value, mic };
}

/** Mints a key on the sim; `query` is added to the calls URL (scenario, faults). */
async function mintWith(query = '') {
  const { value, callsUrl } = await mint();
  return { callsUrl: `${callsUrl}${query}`, ephemeralKey: value, mic };
}

function parsed(messages: string[]): Array<{ type: string } & Record<string, unknown>> {
  return messages.map((m) => JSON.parse(m) as { type: string });
}

describe('WebSocketTransport against the sim', () => {
  it('plays the model audio on the remote track and reports the output buffer as WebRTC does', async () => {
    const t = new WebSocketTransport(WS_OPTIONS);
    const messages: string[] = [];
    t.on('message', (d) => messages.push(d));
    const track = next(t, 'remoteTrack');
    await t.connect(await mintWith('?sim_scenario=greeting'), new AbortController().signal);
    const [remote] = await track;
    let loudest = 0;
    const sink = new wrtc.nonstandard.RTCAudioSink(remote as never);
    sink.ondata = (d: { samples: Int16Array }) => (loudest = Math.max(loudest, ...d.samples.map(Math.abs)));
    await expect.poll(() => parsed(messages).map((m) => m.type), { timeout: 10_000 }).toEqual(
      expect.arrayContaining(['session.created', 'response.output_audio.delta', 'output_audio_buffer.started', 'response.done', 'output_audio_buffer.stopped']),
    );
    sink.stop();
    expect(loudest).toBeGreaterThan(1000);
    // Started before stopped, for the greeting's response.
    const types = parsed(messages).map((m) => m.type);
    expect(types.indexOf('output_audio_buffer.started')).toBeLessThan(types.indexOf('output_audio_buffer.stopped'));
    t.close();
  });

  it('sends the microphone as input_audio_buffer.append: the sim hears speech', async () => {
    const t = new WebSocketTransport(WS_OPTIONS);
    const messages: string[] = [];
    t.on('message', (d) => messages.push(d));
    await t.connect({ ...(await mintWith()), mic: null }, new AbortController().signal);
    await t.setMic(loudMic);
    await expect.poll(() => parsed(messages).some((m) => m.type === 'input_audio_buffer.speech_started'), { timeout: 5000 }).toBe(true);
    t.close();
  });

  it('on output_audio_buffer.clear stops playback and truncates the item to exactly what was played', async () => {
    const t = new WebSocketTransport(WS_OPTIONS);
    const messages: string[] = [];
    let startedAt = 0;
    t.on('message', (d) => {
      messages.push(d);
      if (d.includes('"output_audio_buffer.started"')) startedAt = performance.now();
    });
    await t.connect(await mintWith('?sim_scenario=long-answer'), new AbortController().signal);
    t.send(JSON.stringify({ type: 'response.create' }));
    await expect.poll(() => startedAt, { timeout: 10_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 400));
    t.send(JSON.stringify({ type: 'response.cancel' }));
    t.send(JSON.stringify({ type: 'output_audio_buffer.clear' }));
    const playedFor = performance.now() - startedAt;
    await expect.poll(() => parsed(messages).find((m) => m.type === 'conversation.item.truncated'), { timeout: 5000 }).toBeDefined();
    const truncated = parsed(messages).find((m) => m.type === 'conversation.item.truncated') as unknown as { audio_end_ms: number; item_id: string };
    const cleared = parsed(messages).filter((m) => m.type === 'output_audio_buffer.cleared');
    expect(cleared).toHaveLength(1);
    // What was played at the page: about the time it played (the Node audio fake renders 10 ms at a time).
    expect(truncated.audio_end_ms).toBeGreaterThan(playedFor - 100);
    expect(truncated.audio_end_ms).toBeLessThanOrEqual(playedFor + 20);
    const item = parsed(messages).find((m) => m.type === 'response.output_audio.delta') as unknown as { item_id: string };
    expect(truncated.item_id).toBe(item.item_id);
    expect(parsed(messages).some((m) => m.type === 'error')).toBe(false);
    t.close();
  });

  it('reports an unknown key as the service does: an error event, then closed with websocket_closed, not retryable', async () => {
    const t = new WebSocketTransport(WS_OPTIONS);
    const messages: string[] = [];
    t.on('message', (d) => messages.push(d));
    const closed = next(t, 'closed');
    await t.connect({ callsUrl: `${sim.url}/v1/realtime/calls`, ephemeralKey: 'ek_not_minted_here_123', mic }, new AbortController().signal).catch(() => undefined);
    const [reason] = await closed;
    expect(reason).toMatchObject({ code: 'websocket_closed', retryable: false });
    expect(reason.message).toContain('3000');
    expect(reason.message).not.toContain('ek_not_minted_here_123');
    expect(parsed(messages).find((m) => m.type === 'error')).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect(t.state).toBe('closed');
  });

  it('reports network_error when the endpoint is unreachable', async () => {
    const t = new WebSocketTransport(WS_OPTIONS);
    await expect(t.connect({ callsUrl: 'http://127.0.0.1:9/v1/realtime/calls', ephemeralKey: 'ek_x', mic }, new AbortController().signal)).rejects.toMatchObject({
      code: 'network_error',
    });
    expect(t.state).toBe('closed');
  });

  it('reports the server dropping the socket as closed with websocket_closed, retryable', async () => {
    const t = new WebSocketTransport(WS_OPTIONS);
    const closed = next(t, 'closed');
    await t.connect(await mintWith('?sim_fault=dc=after:300'), new AbortController().signal);
    const [reason] = await closed;
    expect(reason).toMatchObject({ code: 'websocket_closed', retryable: true });
    expect(t.state).toBe('closed');
  });

  it('fails with audio_worklet_failed when the worklet cannot be loaded, and names the option to fix it', async () => {
    const t = new WebSocketTransport({ ...WS_OPTIONS, workletUrl: 'http://app.test/missing.js' });
    const err = await t.connect(await mintWith(), new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'audio_worklet_failed' });
    expect((err as Error).message).toContain('workletUrl');
    expect(t.state).toBe('closed');
  });
});

describe('AutoTransport against the sim', () => {
  it('uses WebRTC when it connects', async () => {
    const t = new AutoTransport({ websocket: WS_OPTIONS });
    await t.connect(await mintWith(), new AbortController().signal);
    expect(t.kind).toBe('webrtc');
    t.close();
  });

  it('falls back to the WebSocket when the SDP exchange hangs, and reports why', async () => {
    const reasons: string[] = [];
    const t = new AutoTransport({ websocket: WS_OPTIONS, webrtcTimeoutMs: 1000, onFallback: (r) => reasons.push(r.code) });
    const first = next(t, 'message');
    await t.connect(await mintWith('?sim_fault=calls=timeout'), new AbortController().signal);
    expect(t.kind).toBe('websocket');
    expect(reasons).toEqual(['connect_timeout']);
    expect(JSON.parse((await first)[0])).toMatchObject({ type: 'session.created' });
    t.close();
  });

  it('does not fall back when the endpoint refuses the key (sdp_rejected)', async () => {
    const t = new AutoTransport({ websocket: WS_OPTIONS });
    await expect(t.connect({ callsUrl: `${sim.url}/v1/realtime/calls`, ephemeralKey: 'ek_unknown_1', mic }, new AbortController().signal)).rejects.toMatchObject({
      code: 'sdp_rejected',
    });
    expect(t.kind).toBe('webrtc');
  });
});
