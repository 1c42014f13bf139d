/*
 * The WebSocket transport's own logic, deterministic: a scripted socket stands
 * in for the server and a scripted worklet for the audio thread (the real
 * worklet and the real sim are in worklet.test.ts and the contract suite).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketTransport } from './websocket-transport.js';

class Port {
  posted: Array<Record<string, unknown>> = [];
  onmessage: ((e: { data: unknown }) => void) | null = null;
  postMessage(m: Record<string, unknown>): void {
    this.posted.push(m);
  }
  /** The worklet answers. */
  reply(data: Record<string, unknown>): void {
    this.onmessage?.({ data });
  }
}

let nodes: Record<string, { port: Port }>;
let sockets: FakeSocket[];

class FakeSocket {
  readyState = 0;
  sent: string[] = [];
  readonly listeners = new Map<string, Array<(e: unknown) => void>>();
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    sockets.push(this);
  }
  addEventListener(type: string, fn: (e: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  fire(type: string, e: unknown = {}): void {
    if (type === 'open') this.readyState = 1;
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }
  /** A server event. */
  server(event: Record<string, unknown>): void {
    this.fire('message', { data: JSON.stringify(event) });
  }
  types(): string[] {
    return this.sent.map((s) => (JSON.parse(s) as { type: string }).type);
  }
  last(type: string): Record<string, unknown> | undefined {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>).filter((e) => e.type === type).at(-1);
  }
}

const g = globalThis as Record<string, unknown>;
const saved = { ...g };
beforeEach(() => {
  nodes = {};
  sockets = [];
  g.WebSocket = FakeSocket;
  g.MediaStream = class {
    getAudioTracks = () => [{ kind: 'audio', stop: () => undefined }];
    getTracks = () => this.getAudioTracks();
  };
  g.AudioWorkletNode = class {
    port = new Port();
    constructor(_ctx: unknown, name: string) {
      nodes[name] = this;
    }
    connect(): void {}
    disconnect(): void {}
  };
  g.AudioContext = class {
    state = 'running';
    audioWorklet = { addModule: async () => undefined };
    createMediaStreamDestination = () => ({ stream: new (g.MediaStream as new () => MediaStream)() });
    createMediaStreamSource = () => ({ connect: () => undefined, disconnect: () => undefined });
    resume = async () => undefined;
    close = async () => {
      this.state = 'closed';
    };
  };
});
afterEach(() => {
  for (const k of ['WebSocket', 'MediaStream', 'AudioWorkletNode', 'AudioContext']) g[k] = saved[k];
});

const b64 = (n: number) => Buffer.alloc(n * 2).toString('base64'); // n PCM16 samples of silence

async function open(): Promise<{ t: WebSocketTransport; ws: FakeSocket; playback: Port; capture: Port; messages: Array<Record<string, unknown>> }> {
  const t = new WebSocketTransport({ workletUrl: 'https://app.test/rtvoice-audio-worklet.js', echoCancellationLoopback: false });
  const messages: Array<Record<string, unknown>> = [];
  t.on('message', (d) => messages.push(JSON.parse(d) as Record<string, unknown>));
  const connecting = t.connect({ callsUrl: 'https://api.test/v1/realtime/calls', ephemeralKey: 'ek_abc123', mic: null }, new AbortController().signal);
  await new Promise((r) => setTimeout(r, 0));
  const ws = sockets[0]!;
  ws.fire('open');
  await connecting;
  return { t, ws, playback: nodes['rtvoice-playback']!.port, capture: nodes['rtvoice-capture']!.port, messages };
}

const delta = (ws: FakeSocket, response: string, item: string, samples = 2400) =>
  ws.server({ type: 'response.output_audio.delta', response_id: response, item_id: item, output_index: 0, content_index: 0, delta: b64(samples) });
const types = (messages: Array<Record<string, unknown>>) => messages.map((m) => m.type as string);

describe('WebSocketTransport', () => {
  it('authenticates with the ephemeral key as a subprotocol on the URL derived from the calls URL', async () => {
    const { ws } = await open();
    expect(ws.url).toBe('wss://api.test/v1/realtime');
    expect(ws.protocols).toEqual(['realtime', 'openai-insecure-api-key.ek_abc123']);
  });

  it('refuses a key a subprotocol cannot carry, without quoting it', async () => {
    const t = new WebSocketTransport({ workletUrl: 'https://app.test/w.js', echoCancellationLoopback: false });
    const err = await t.connect({ callsUrl: 'https://api.test/v1/realtime/calls', ephemeralKey: 'ek_abc 123\n', mic: null }, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_options', retryable: false });
    expect(String((err as Error).message)).not.toContain('ek_abc');
    expect(sockets).toHaveLength(0);
  });

  it('refuses a keyless connection (callUrl is WebRTC only) with a clear error', async () => {
    const t = new WebSocketTransport({ workletUrl: 'https://app.test/w.js', echoCancellationLoopback: false });
    const err = await t.connect({ callsUrl: '/api/call', ephemeralKey: '', mic: null }, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_options', message: expect.stringContaining('callUrl') });
    expect(sockets).toHaveLength(0);
  });

  it('reports the output buffer from the real playback, each after the server event that caused it', async () => {
    const { ws, playback, messages } = await open();
    ws.server({ type: 'response.created', response: { id: 'resp_1' } });
    delta(ws, 'resp_1', 'item_1');
    expect(playback.posted.filter((m) => m.t === 'push')).toHaveLength(1);
    expect(types(messages)).not.toContain('output_audio_buffer.started');
    playback.reply({ t: 'start', item: 'item_1' });
    expect(messages.at(-1)).toMatchObject({ type: 'output_audio_buffer.started', response_id: 'resp_1' });
    ws.server({ type: 'response.done', response: { id: 'resp_1', status: 'completed' } });
    expect(types(messages)).not.toContain('output_audio_buffer.stopped');
    playback.reply({ t: 'idle', item: 'item_1', played: 2400, pushes: 1 });
    expect(types(messages).slice(-2)).toEqual(['response.done', 'output_audio_buffer.stopped']);
  });

  it('ignores an idle report that had not seen the latest audio (a gap, not the end)', async () => {
    const { ws, playback, messages } = await open();
    ws.server({ type: 'response.created', response: { id: 'r' } });
    delta(ws, 'r', 'i');
    playback.reply({ t: 'start', item: 'i' });
    delta(ws, 'r', 'i');
    ws.server({ type: 'response.done', response: { id: 'r', status: 'completed' } });
    playback.reply({ t: 'idle', item: 'i', played: 2400, pushes: 1 }); // posted before the second chunk arrived
    expect(types(messages)).not.toContain('output_audio_buffer.stopped');
    playback.reply({ t: 'idle', item: 'i', played: 4800, pushes: 2 });
    expect(types(messages).filter((t) => t === 'output_audio_buffer.stopped')).toHaveLength(1);
    expect(types(messages).filter((t) => t === 'output_audio_buffer.started')).toHaveLength(1);
  });

  it('on output_audio_buffer.clear: drops the queue, answers cleared, and truncates the playing item to what was played', async () => {
    const { t, ws, playback, messages } = await open();
    ws.server({ type: 'response.created', response: { id: 'r' } });
    delta(ws, 'r', 'item_a', 24000);
    playback.reply({ t: 'start', item: 'item_a' });
    t.send(JSON.stringify({ type: 'output_audio_buffer.clear' }));
    expect(ws.types()).not.toContain('output_audio_buffer.clear');
    expect(messages.at(-1)).toMatchObject({ type: 'output_audio_buffer.cleared', response_id: 'r' });
    const clear = playback.posted.at(-1)!;
    expect(clear).toMatchObject({ t: 'clear', id: expect.any(Number) });
    // Late audio of the cut response is dropped.
    delta(ws, 'r', 'item_a');
    expect(playback.posted.filter((m) => m.t === 'push')).toHaveLength(1);
    playback.reply({ t: 'cleared', id: clear.id, item: 'item_a', played: 7200 });
    expect(ws.last('conversation.item.truncate')).toEqual({ type: 'conversation.item.truncate', item_id: 'item_a', content_index: 0, audio_end_ms: 300 });
  });

  it('a response cancelled before its audio started is never played, and its item is truncated to nothing', async () => {
    const { t, ws, playback, messages } = await open();
    ws.server({ type: 'response.created', response: { id: 'r' } });
    delta(ws, 'r', 'item_q', 240); // below the jitter buffer: not started yet
    t.send(JSON.stringify({ type: 'response.cancel' }));
    expect(ws.types()).toContain('response.cancel');
    const clear = playback.posted.at(-1)!;
    expect(clear.t).toBe('clear');
    delta(ws, 'r', 'item_q'); // in flight when the server cancelled
    expect(playback.posted.filter((m) => m.t === 'push')).toHaveLength(1);
    playback.reply({ t: 'cleared', id: clear.id, item: null, played: 0 });
    expect(ws.last('conversation.item.truncate')).toMatchObject({ item_id: 'item_q', audio_end_ms: 0 });
    // Nothing was playing: no cleared event to report.
    expect(types(messages)).not.toContain('output_audio_buffer.cleared');
  });

  it('a clear cuts every response with audio queued, not only the one playing', async () => {
    const { t, ws, playback } = await open();
    ws.server({ type: 'response.created', response: { id: 'a' } });
    delta(ws, 'a', 'item_a');
    playback.reply({ t: 'start', item: 'item_a' });
    ws.server({ type: 'response.done', response: { id: 'a', status: 'completed' } });
    ws.server({ type: 'response.created', response: { id: 'b' } });
    delta(ws, 'b', 'item_b');
    t.send(JSON.stringify({ type: 'output_audio_buffer.clear' }));
    delta(ws, 'b', 'item_b');
    expect(playback.posted.filter((m) => m.t === 'push')).toHaveLength(2);
  });

  it('answers two clears separately (each truncation uses its own snapshot)', async () => {
    const { t, ws, playback } = await open();
    ws.server({ type: 'response.created', response: { id: 'a' } });
    delta(ws, 'a', 'item_a', 24000);
    playback.reply({ t: 'start', item: 'item_a' });
    t.send(JSON.stringify({ type: 'output_audio_buffer.clear' }));
    const first = playback.posted.at(-1)!;
    ws.server({ type: 'response.done', response: { id: 'a', status: 'cancelled' } });
    ws.server({ type: 'response.created', response: { id: 'b' } });
    delta(ws, 'b', 'item_b', 24000);
    t.send(JSON.stringify({ type: 'output_audio_buffer.clear' }));
    const second = playback.posted.at(-1)!;
    expect(second.id).not.toBe(first.id);
    playback.reply({ t: 'cleared', id: first.id, item: 'item_a', played: 4800 });
    playback.reply({ t: 'cleared', id: second.id, item: 'item_a', played: 4800 });
    const truncates = ws.sent.map((s) => JSON.parse(s) as Record<string, unknown>).filter((e) => e.type === 'conversation.item.truncate');
    expect(truncates.map((e) => [e.item_id, e.audio_end_ms])).toEqual([
      ['item_a', 200],
      ['item_b', 0],
    ]);
  });

  it('switches the microphone format when the session.update is sent, not when the server confirms it', async () => {
    const { t, capture, ws } = await open();
    t.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' } } } } }));
    expect(capture.posted.at(-1)).toEqual({ rate: 8000 });
    capture.reply(new Float32Array(160) as unknown as Record<string, unknown>);
    const append = JSON.parse(ws.sent.at(-1)!) as { type: string; audio: string };
    expect(append.type).toBe('input_audio_buffer.append');
    expect(Buffer.from(append.audio, 'base64')).toHaveLength(160); // one byte per G.711 sample
  });

  it('reports a drop after open as closed: websocket_closed, retryable unless the service refused (3000-4999)', async () => {
    const a = await open();
    const reasons: Array<{ code: string; retryable: boolean }> = [];
    a.t.on('closed', (r) => reasons.push(r));
    a.ws.fire('close', { code: 1006, reason: '' });
    sockets.length = 0;
    const b = await open();
    b.t.on('closed', (r) => reasons.push(r));
    b.ws.fire('close', { code: 3000, reason: 'invalid_request_error.invalid_api_key' });
    expect(reasons).toMatchObject([
      { code: 'websocket_closed', retryable: true },
      { code: 'websocket_closed', retryable: false },
    ]);
    expect(a.t.state).toBe('closed');
  });
});
