/*
 * The session's features on both real transports, against the real sim: a
 * VoiceSession over WebRTC (@roamhq/wrtc) and over the WebSocket (`ws`, with
 * test/node-audio.ts running the real audio worklet) must behave the same for
 * turns, tools, history, usage and cost, metrics, interruption and
 * reconnection. The unit tests of each feature run on the FakeTransport; this
 * file checks that both real transports give those features what they need.
 */
import wrtc from '@roamhq/wrtc';
import { startSim, type SimServer } from '@rtvoice/sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { installNodeAudio } from '../../test/node-audio.js';
import type { ClientEvents } from '../events.js';
import type { TransportFactory } from '../transport/transport.js';
import { WebRtcTransport } from '../transport/webrtc-transport.js';
import { websocketTransport } from '../transport/websocket-transport.js';
import { VoiceSession } from './voice-session.js';

const g = globalThis as Record<string, unknown>;
g.RTCPeerConnection ??= wrtc.RTCPeerConnection;
g.MediaStream ??= wrtc.MediaStream;
g.WebSocket ??= NodeWebSocket;
installNodeAudio();

let sim: SimServer;
beforeAll(async () => {
  sim = await startSim({ port: 0, host: '127.0.0.1', generationSpeed: 4 });
});
afterAll(async () => {
  await sim.close();
});

/** A microphone that says something for `speakMs` (a 300 Hz tone), then is silent. */
function microphone() {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  let speakUntil = 0;
  let t = 0;
  const timer = setInterval(() => {
    const loud = performance.now() < speakUntil;
    const samples = Int16Array.from({ length: 480 }, (_, i) => (loud ? Math.round(12_000 * Math.sin((2 * Math.PI * 300 * (t + i)) / 48_000)) : 0));
    t += 480;
    source.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  }, 10);
  return {
    stream: new wrtc.MediaStream([track]) as unknown as MediaStream,
    speak: (ms: number) => (speakUntil = performance.now() + ms),
    close: () => (clearInterval(timer), track.stop()),
  };
}

const element = () =>
  ({ autoplay: false, srcObject: null, play: async () => undefined, pause: () => undefined, remove: () => undefined }) as unknown as HTMLAudioElement;

/** Mints keys on the sim; the scenario and faults ride on the key, as through a token server. */
function tokens(scenario?: string, firstFault?: string) {
  let n = 0;
  return async () => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (scenario) headers['x-sim-scenario'] = scenario;
    if (firstFault && n++ === 0) headers['x-sim-fault'] = firstFault;
    const res = await fetch(`${sim.url}/v1/realtime/client_secrets`, { method: 'POST', headers, body: JSON.stringify({ session: { type: 'realtime' } }) });
    const body = (await res.json()) as { value: string };
    return { value: body.value, callsUrl: `${sim.url}/v1/realtime/calls` };
  };
}

const VAD = { audio: { input: { turn_detection: { type: 'server_vad' as const, silence_duration_ms: 300 } } } };

const transports: Array<{ name: string; factory: TransportFactory }> = [
  { name: 'WebRTC', factory: () => new WebRtcTransport() },
  { name: 'WebSocket', factory: websocketTransport({ workletUrl: 'http://app.test/rtvoice-audio-worklet.js', echoCancellationLoopback: false }) },
];

const open: Array<{ close(): void }> = [];
const sessions: VoiceSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.disconnect()));
  for (const m of open.splice(0)) m.close();
});

function setup(factory: TransportFactory, scenario?: string, extra: Partial<ConstructorParameters<typeof VoiceSession>[0]> = {}) {
  const mic = microphone();
  open.push(mic);
  const session = new VoiceSession({
    getToken: tokens(scenario),
    transport: factory,
    mediaStream: mic.stream,
    audioElement: element(),
    session: VAD,
    logLevel: 'silent',
    ...extra,
  });
  sessions.push(session);
  const seen = <K extends keyof ClientEvents>(type: K) => {
    const list: Array<ClientEvents[K][0]> = [];
    session.on(type, ((e: ClientEvents[K][0]) => list.push(e)) as never);
    return list;
  };
  return { session, mic, seen };
}

describe.each(transports)('VoiceSession over $name against the sim', ({ factory }) => {
  it('a spoken turn: transcripts, history, usage with a cost, turn metrics and who speaks', async () => {
    const { session, mic, seen } = setup(factory);
    const transcripts = seen('transcript');
    const metrics = seen('metrics');
    const speaking = seen('speaking');
    await session.connect();
    mic.speak(1200);
    await expect.poll(() => transcripts.find((t) => t.role === 'assistant' && t.final)?.text, { timeout: 15_000 }).toMatch(/you spoke for/);
    await expect.poll(() => speaking.map((s) => s.who), { timeout: 15_000 }).toEqual(expect.arrayContaining(['user', 'assistant', 'none']));
    const roles = session.history.filter((i) => i.type === 'message').map((i) => (i as { role: string }).role);
    expect(roles).toEqual(['user', 'assistant']);
    expect(session.usage.responses).toBe(1);
    expect(session.usage.output_tokens).toBeGreaterThan(0);
    expect(session.usage.costUsd).toBeGreaterThan(0);
    const turn = metrics.find((m) => m.kind === 'turn') as { speechToAudioMs?: number } | undefined;
    expect(turn?.speechToAudioMs).toBeGreaterThanOrEqual(0);
  });

  it('a tool call: execute runs, its output goes back, and the answer is spoken from it', async () => {
    const calls: unknown[] = [];
    const { session, seen } = setup(factory, 'tool-call', {
      tools: [
        {
          name: 'get_weather',
          description: 'Weather in a city.',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          execute: async (args: unknown) => (calls.push(args), { city: 'Paris', temperature_c: 21, conditions: 'sunny' }),
        },
      ],
    });
    const transcripts = seen('transcript');
    await session.connect();
    session.sendText('What is the weather in Paris?');
    await expect.poll(() => transcripts.filter((t) => t.role === 'assistant' && t.final).map((t) => t.text).join(' '), { timeout: 15_000 }).toContain('21 degrees');
    expect(calls).toEqual([{ city: 'Paris' }]);
    expect(session.history.find((i) => i.type === 'function_call')).toMatchObject({ name: 'get_weather', output: expect.stringContaining('21') });
  });

  it('interrupt(): playback stops, the item is truncated to what was played, and the history says so', async () => {
    const { session, seen } = setup(factory, 'long-answer');
    const audio = seen('agentAudio');
    const interrupted = seen('interrupted');
    await session.connect();
    session.createResponse();
    await expect.poll(() => audio.map((a) => a.state), { timeout: 15_000 }).toContain('started');
    await new Promise((r) => setTimeout(r, 600));
    expect(session.interrupt()).toBe(true);
    expect(interrupted).toHaveLength(1);
    const itemId = interrupted[0]!.itemId!;
    await expect.poll(() => (session.history.find((i) => i.id === itemId) as { audioEndMs?: number } | undefined)?.audioEndMs, { timeout: 5000 }).toBeGreaterThan(300);
    const item = session.history.find((i) => i.id === itemId) as { audioEndMs: number; interrupted?: boolean; status: string };
    expect(item).toMatchObject({ interrupted: true, status: 'incomplete' });
    expect(item.audioEndMs).toBeLessThan(2000);
  });

  it('a dropped connection reconnects with the history replayed, and the conversation goes on', async () => {
    // The first key's connection drops after 1.5 s; the reconnection mints a clean one.
    const { session, seen } = setup(factory, undefined, { getToken: tokens(undefined, 'dc=after:1500'), reconnect: { maxAttempts: 3, backoffMs: 50 } });
    const states = seen('stateChange');
    await session.connect();
    session.sendText('Remember this.');
    await expect.poll(() => session.history.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const before = session.history.map((i) => i.id);
    await expect.poll(() => states.map((s) => s.state).join(','), { timeout: 15_000 }).toBe('connecting,connected,reconnecting,connected');
    expect(session.history.map((i) => i.id).slice(0, before.length)).toEqual(before);
    session.sendText('And now?');
    await expect.poll(() => session.history.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(before.length + 2);
  });
});
