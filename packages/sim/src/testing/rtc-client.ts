import { OutputAudioQueue } from '../audio/output-queue.js';
import { SimError } from '../errors.js';
import { rms } from '../audio/level.js';
import { AudioClock } from '../rtc/audio-clock.js';
import { loadWrtc } from '../rtc/wrtc.js';

/** A server event as received by the test client. */
// Test events are loosely typed on purpose: assertions check their shape.
export type ReceivedEvent = { type: string; event_id?: string; [key: string]: any };

/** Options of {@link connectTestClient}. */
export interface TestClientOptions {
  /** Bearer token; minted through `/v1/realtime/client_secrets` when omitted. */
  key?: string;
  /** Body of the mint request. */
  mintBody?: unknown;
  /** Extra headers on the SDP POST. */
  headers?: Record<string, string>;
  /** SDP endpoint path + query (default `/v1/realtime/calls`). */
  path?: string;
  /** Send no audio track (data channel only). */
  noAudio?: boolean;
  /** Clock driving the mic track; share one between many clients (default: one per client). */
  clock?: AudioClock;
  /** Attach an `RTCAudioSink` to the remote track to measure what is heard (default true). */
  listen?: boolean;
  /**
   * Post the offer to this absolute URL instead: an app's own call endpoint (such as
   * `@rtvoice/server`'s `createCallHandler`), which connects the call itself. No key is minted
   * and no `Authorization` is sent; `headers` go with the request (the app's own credentials).
   * `baseUrl` is then unused. `callId` is read from a `Location` header when there is one.
   */
  callUrl?: string;
  /**
   * Post the offer as a server does on the "unified interface": `multipart/form-data` with the
   * `sdp` and this `session` (JSON) instead of `application/sdp`. Pair it with a standard
   * (`sk-…`) `key`.
   */
  session?: Record<string, unknown>;
}

/**
 * A Node WebRTC client (wrtc) that behaves like a browser page using the
 * Realtime API: `oai-events` channel created before the offer, one sendrecv
 * audio track, offer posted without candidates. For tests and benches.
 *
 * It owns its peer connection, audio source/sink and (unless one is passed
 * in) its mic clock; {@link TestClient.close} releases them. A process that
 * used it must end with `process.exit()` (wrtc `RTCAudioSource`).
 */
export class TestClient {
  readonly events: ReceivedEvent[] = [];
  readonly raw: string[] = [];
  readonly mic = new OutputAudioQueue();
  /** RMS (0..1) of each received 10 ms frame. */
  readonly received: number[] = [];
  callId = '';
  answerSdp = '';
  #pc!: RTCPeerConnection;
  #dc!: RTCDataChannel;
  #stopMic: (() => void) | undefined;
  #clock: AudioClock | undefined;
  #sink: { stop(): void } | undefined;
  #waiters = new Set<() => void>();
  #closed = false;
  #segment = 0;

  /** True once the data channel is open. */
  get open(): boolean {
    return this.#dc?.readyState === 'open';
  }

  /** Connection state of the peer connection. */
  get connectionState(): string {
    return this.#pc.connectionState;
  }

  /** Queues audio (48 kHz mono) on the mic track. */
  speak(samples: Int16Array): void {
    this.#segment += 1;
    const id = `mic${this.#segment}`;
    this.mic.enqueue(id, samples);
    this.mic.finish(id);
  }

  /** Sends a client event. */
  send(event: Record<string, unknown>): void {
    this.#dc.send(JSON.stringify(event));
  }

  /** The first event of a type (throws when there is none). */
  first(type: string): ReceivedEvent {
    const found = this.ofType(type)[0];
    if (!found) throw new SimError('event_missing', `No ${type} event was received.`);
    return found;
  }

  /** Events of one type, in order. */
  ofType(type: string): ReceivedEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  /** Resolves with the first event (already received or future) matching. */
  waitFor(type: string, predicate: (e: ReceivedEvent) => boolean = () => true, timeoutMs = 8000, from = 0): Promise<ReceivedEvent> {
    return this.waitUntil(() => this.events.slice(from).find((e) => e.type === type && predicate(e)), timeoutMs, `event ${type}`);
  }

  /** Resolves when `check` returns a value, polling on every event and every 20 ms. */
  waitUntil<T>(check: () => T | undefined | false, timeoutMs = 8000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const poll = setInterval(() => attempt(), 20);
      const timer = setTimeout(() => {
        cleanup();
        reject(new SimError('timeout', `Timed out after ${timeoutMs} ms waiting for ${what}. Got: ${this.events.map((e) => e.type).join(', ')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearInterval(poll);
        clearTimeout(timer);
        this.#waiters.delete(attempt);
      };
      const attempt = (): void => {
        const value = check();
        if (value !== undefined && value !== false) {
          cleanup();
          resolve(value as T);
        }
      };
      this.#waiters.add(attempt);
      attempt();
    });
  }

  /** Highest received RMS over the last `frames` frames. */
  peakLevel(frames = this.received.length): number {
    return Math.max(0, ...this.received.slice(-frames));
  }

  /** Closes everything the client opened. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopMic?.();
    this.#clock?.close();
    this.#sink?.stop();
    try {
      this.#dc?.close();
    } catch {
      // Already closed.
    }
    this.#pc?.close();
  }

  /**
   * Posts the offer (minting a key first unless one is given) and applies
   * the answer. Resolves with the SDP response, whatever its status; use
   * {@link connectTestClient} to also wait for `session.created`.
   */
  async connect(baseUrl: string, options: TestClientOptions): Promise<Response> {
    const wrtc = await loadWrtc();
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] }) as unknown as RTCPeerConnection;
    this.#pc = pc;
    if (!options.noAudio) {
      const source = new wrtc.nonstandard.RTCAudioSource();
      const track = source.createTrack() as unknown as MediaStreamTrack;
      pc.addTrack(track);
      if (!options.clock) this.#clock = new AudioClock();
      this.#stopMic = (options.clock ?? (this.#clock as AudioClock)).add({
        pull: () => this.mic.nextFrame(),
        push: (samples) => source.onData({ samples, sampleRate: 48_000 }),
      });
    }
    pc.ontrack = (event) => {
      if (options.listen === false || this.#sink) return;
      const sink = new wrtc.nonstandard.RTCAudioSink(event.track as never);
      sink.ondata = (data: { samples: Int16Array }) => this.received.push(rms(data.samples));
      this.#sink = sink;
    };
    this.#dc = pc.createDataChannel('oai-events');
    this.#dc.onmessage = (m: MessageEvent) => {
      const text = String(m.data);
      this.raw.push(text);
      try {
        this.events.push(JSON.parse(text) as ReceivedEvent);
      } catch {
        // Kept in `raw` only (malformed-frame fault).
      }
      for (const w of [...this.#waiters]) w();
    };
    await pc.setLocalDescription(await pc.createOffer());
    const res = await this.#postOffer(baseUrl, pc.localDescription?.sdp ?? '', options);
    if (res.status !== 201) return res;
    this.answerSdp = await res.text();
    this.callId = (res.headers.get('location') ?? '').split('/').pop() ?? '';
    await pc.setRemoteDescription({ type: 'answer', sdp: this.answerSdp });
    return res;
  }

  /** POSTs the offer: to an app's call endpoint, as the unified interface (multipart), or with an `ek_`/`sk-` key. */
  async #postOffer(baseUrl: string, sdp: string, options: TestClientOptions): Promise<Response> {
    if (options.callUrl !== undefined) {
      return fetch(options.callUrl, { method: 'POST', headers: { 'content-type': 'application/sdp', ...options.headers }, body: sdp });
    }
    let key = options.key;
    if (key === undefined) {
      const mint = await fetch(`${baseUrl}/v1/realtime/client_secrets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(options.mintBody ?? { session: { type: 'realtime', model: 'gpt-realtime' } }),
      });
      key = ((await mint.json()) as { value: string }).value;
    }
    const url = `${baseUrl}${options.path ?? '/v1/realtime/calls'}`;
    if (options.session !== undefined) {
      // The unified interface: fetch sets the multipart boundary in the content type.
      const form = new FormData();
      form.set('sdp', sdp);
      form.set('session', JSON.stringify(options.session));
      return fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...options.headers }, body: form });
    }
    return fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/sdp', ...options.headers },
      body: sdp,
    });
  }
}

/**
 * Connects a {@link TestClient} and waits for `session.created`.
 *
 * @throws SimError `sdp_rejected` when the SDP POST is not answered with 201, `timeout` when `session.created` does not come.
 */
export async function connectTestClient(baseUrl: string, options: TestClientOptions = {}): Promise<TestClient> {
  const client = new TestClient();
  const res = await client.connect(baseUrl, options);
  if (res.status !== 201) {
    client.close();
    throw new SimError('sdp_rejected', `SDP POST failed: ${res.status} ${await res.text()}`);
  }
  await client.waitFor('session.created');
  return client;
}
