/**
 * Opening the sideband WebSocket of a call (`wss://…/realtime?call_id=rtc_…`, PROTOCOL §14.2)
 * with the real key, retrying briefly: the call was created a moment ago, and a refused upgrade
 * or a dropped connection at that point is usually transient.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { parseProviderError } from '../upstream.js';
import type { CallUpstream } from './types.js';

/** Why the sideband could not be opened. Its message is safe to log (no key, no provider text). */
export class SidebandError extends Error {
  override readonly name = 'SidebandError';
  /** HTTP status of a refused upgrade. */
  readonly status: number | undefined;
  /** The provider's error code (e.g. `call_id_not_found`) or a network code. */
  readonly code: string | undefined;

  constructor(message: string, status?: number, code?: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const RETRY_DELAYS_MS = [250, 750];

function openOnce(upstream: CallUpstream): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(upstream.sidebandUrl, {
      headers: { ...upstream.headers },
      handshakeTimeout: upstream.timeoutMs,
      perMessageDeflate: false,
    });
    const fail = (error: SidebandError) => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(error);
    };
    ws.once('open', () => {
      ws.removeAllListeners('unexpected-response');
      ws.removeAllListeners('error');
      resolve(ws);
    });
    ws.once('unexpected-response', (request, response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      response.once('end', () => {
        request.destroy();
        fail(new SidebandError(`The sideband upgrade was refused with HTTP ${response.statusCode}.`, response.statusCode, parseProviderError(body).upstreamCode));
      });
      response.once('error', () => fail(new SidebandError('The sideband upgrade was refused.', response.statusCode)));
    });
    ws.once('error', (error: Error & { code?: unknown }) => {
      const code = typeof error.code === 'string' && /^[A-Z0-9_]{1,64}$/.test(error.code) ? error.code : undefined;
      fail(new SidebandError(`The sideband could not be reached${code ? ` (${code})` : ''}.`, undefined, code));
    });
  });
}

/**
 * Opens the sideband, trying up to three times (a network error, a 404 or a 5xx/429 are retried;
 * 401/403 are not). `cancelled` is checked between attempts.
 */
export async function connectSideband(upstream: CallUpstream, cancelled: () => boolean): Promise<WebSocket> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await openOnce(upstream);
    } catch (error) {
      const status = (error as SidebandError).status;
      const retryable = status === undefined || status === 404 || status === 429 || status >= 500;
      const delay = RETRY_DELAYS_MS[attempt];
      if (!retryable || delay === undefined || cancelled()) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (cancelled()) throw error;
    }
  }
}
