import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { SentEvent } from './session-harness.js';

/** How a socket ended. */
export interface SocketClose {
  code: number;
  reason: string;
}

/** Options of {@link connectWs}. */
export interface WsClientOptions {
  headers?: Record<string, string>;
  protocols?: string[];
}

/**
 * A Node `ws` client for the sim's WebSocket endpoint, recording every event
 * (and every raw frame), with `waitFor` helpers. `closed` resolves with the
 * close code and reason.
 */
export class WsTestClient {
  readonly events: SentEvent[] = [];
  readonly raw: string[] = [];
  /** `performance.now()` at which each entry of `events` arrived. */
  readonly at: number[] = [];
  readonly closed: Promise<SocketClose>;
  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      try {
        this.events.push(JSON.parse(text) as SentEvent);
        this.at.push(performance.now());
      } catch {
        // Kept in `raw` only (malformed-frame fault).
      }
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Event types received so far. */
  types(): string[] {
    return this.events.map((e) => e.type);
  }

  /** Events of one type. */
  ofType(type: string): SentEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  /** Sends a client event. */
  send(event: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(event));
  }

  /** Sends audio bytes as `input_audio_buffer.append` events of `chunkBytes`, `pauseMs` apart. */
  async append(bytes: Uint8Array, chunkBytes: number, pauseMs = 0): Promise<void> {
    for (let i = 0; i < bytes.length; i += chunkBytes) {
      const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + i, Math.min(chunkBytes, bytes.length - i));
      this.send({ type: 'input_audio_buffer.append', audio: chunk.toString('base64') });
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  /** Resolves with the first event (received or future) of `type` matching `predicate`. */
  waitFor(type: string, predicate: (e: SentEvent) => boolean = () => true, timeoutMs = 8000): Promise<SentEvent> {
    return this.waitUntil(() => this.events.find((e) => e.type === type && predicate(e)), timeoutMs, `event ${type}`);
  }

  /** Polls `check` every 10 ms until it returns a value. */
  waitUntil<T>(check: () => T | undefined | false, timeoutMs = 8000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const value = check();
        if (value !== undefined && value !== false) {
          clearInterval(poll);
          resolve(value as T);
        } else if (Date.now() - started > timeoutMs) {
          clearInterval(poll);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Got: ${this.types().join(', ')}`));
        }
      }, 10);
    });
  }

  /** Closes the socket (1000). */
  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }
}

/** Opens a socket; resolves once it is open (or closed first), rejects on an HTTP answer other than 101. */
export function connectWs(url: string, options: WsClientOptions = {}): Promise<WsTestClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    const client = new WsTestClient(ws);
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        req.destroy();
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body }));
      });
    });
    ws.once('error', (error) => reject(error));
  });
}

/** The HTTP answer to an upgrade that must be refused: `{ status, body }`. */
export async function refusedUpgrade(url: string, options: WsClientOptions = {}): Promise<{ status: number; body: any }> {
  try {
    const client = await connectWs(url, options);
    client.close();
  } catch (error) {
    const e = error as { status?: number; body?: string };
    if (e.status !== undefined) return { status: e.status, body: e.body ? JSON.parse(e.body) : undefined };
    throw error;
  }
  throw new Error('The upgrade was accepted.');
}
