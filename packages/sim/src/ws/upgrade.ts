import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { isSimError } from '../errors.js';
import { mergeFaults } from '../faults/fault-spec.js';
import { SESSION_SECONDS } from '../http/calls.js';
import type { SimContext } from '../http/context.js';
import { FAULT_TIMEOUT_MS, pickHttpFault } from '../http/http-faults.js';
import { type RequestOptions, readRequestOptions } from '../http/request-options.js';
import { errorForStatus } from '../http/respond.js';
import type { KeyLookup } from '../keys/key-store.js';
import { newEventId, newSessionId } from '../protocol/ids.js';
import { DEFAULT_MODEL, defaultSession, type RealtimeSession } from '../protocol/session-config.js';
import { invalidRequest, type WireError } from '../protocol/wire-error.js';
import { readUpgradeCredentials, selectSubprotocol, type UpgradeCredentials } from './credentials.js';
import { attachSideband } from './sideband.js';
import { CLOSE_CODES, CLOSE_REASONS } from './ws-session.js';

/** Largest client frame accepted (the service allows 15 MiB of audio per append, base64 adds a third). */
const MAX_FRAME_BYTES = 21 * 1024 * 1024;
/** How long `close()` lets sockets finish their closing handshake before dropping them. */
const CLOSE_GRACE_MS = 500;

/** Error body of an `ek_` key on the sideband (a sim choice: the service's answer is not documented). */
const EPHEMERAL_SIDEBAND: WireError = invalidRequest(
  'ephemeral_key_not_allowed',
  'A sideband connection (call_id) needs a standard API key in the Authorization header, not an ephemeral client secret.',
);

/** The service's body for an unknown or ended call (community.openai.com, PROTOCOL §10.2). */
const CALL_NOT_FOUND: WireError = invalidRequest('call_id_not_found', 'No session found for the provided call_id', '');

/** The upgrade side of the sim's HTTP server. */
export interface UpgradeHandler {
  /** The HTTP server's `upgrade` listener. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Drops sockets still in the handshake, lets open ones finish closing (briefly), then drops them. */
  close(): Promise<void>;
}

type Auth = { ok: true } | { ok: false; message: string };

/**
 * `GET /v1/realtime` upgraded to a WebSocket, on the sim's HTTP server:
 *
 * - `?model=…` (or none): a new session over the socket (the WebSocket
 *   transport), authenticated by `Authorization: Bearer` or the browser's
 *   `openai-insecure-api-key.<key>` subprotocol; the handshake selects
 *   `realtime` when offered. An `ek_…` key of this sim brings its session,
 *   scenario and faults; an `sk-…` key (stand-in for a standard key) gets a
 *   default session with `?model=`.
 * - `?call_id=rtc_…`: a sideband on a live WebRTC call (standard key only).
 *
 * Refusals the service makes after the upgrade are made after the upgrade
 * (missing, unknown or expired key: `error` `invalid_api_key` then close
 * 3000; beta shape: close 4000); the rest are HTTP answers with OpenAI's JSON
 * error body (unknown path 404, `realtime=` fault, bad `sim_fault` or
 * `sim_scenario` 400, `ek_` key on a sideband 403, unknown call 404).
 */
export function createUpgradeHandler(ctx: SimContext): UpgradeHandler {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (offered) => selectSubprotocol(offered),
  });
  /** Sockets between the upgrade request and the handshake answer (or a hanging fault). */
  const pending = new Set<Duplex>();
  let closed = false;

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, then: (ws: WebSocket) => void): void => {
    if (closed || socket.destroyed) {
      socket.destroy();
      return;
    }
    pending.delete(socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (error) => ctx.logger.debug('websocket error', { error: error.message }));
      then(ws);
    });
  };

  const refuseAfterUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, creds: UpgradeCredentials, auth: Auth): boolean => {
    if (creds.beta) {
      accept(req, socket, head, (ws) => ws.close(CLOSE_CODES.betaShape, CLOSE_REASONS.betaShape));
      return true;
    }
    if (!auth.ok) {
      accept(req, socket, head, (ws) => {
        const error = { type: 'invalid_request_error', code: 'invalid_api_key', message: auth.message, param: null, event_id: null };
        ws.send(JSON.stringify({ type: 'error', event_id: newEventId(), error }));
        ws.close(CLOSE_CODES.invalidApiKey, CLOSE_REASONS.invalidApiKey);
      });
      return true;
    }
    return false;
  };

  const route = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path !== '/v1/realtime') return refuse(socket, 404, invalidRequest(null, `Invalid URL (GET ${url.pathname})`));
    let options: RequestOptions;
    try {
      options = readRequestOptions(req, url);
    } catch (error) {
      if (isSimError(error) && error.code === 'invalid_fault') {
        return refuse(socket, 400, invalidRequest('invalid_fault', error.message, 'x-sim-fault'));
      }
      throw error;
    }
    const creds = readUpgradeCredentials(req);
    const lookup = creds.key?.startsWith('ek_') ? ctx.keys.lookup(creds.key) : undefined;
    const key = lookup?.status === 'valid' ? lookup.record : undefined;
    const fault = pickHttpFault(ctx, 'realtime', [
      { name: 'global', spec: ctx.globalFaults },
      { name: `key:${key?.value ?? ''}`, spec: key?.faults },
      { name: 'request', spec: options.faults },
    ]);
    if (fault?.delayMs !== undefined && !(await ctx.timers.sleep(fault.delayMs))) return void socket.destroy();
    if (fault?.timeout) {
      ctx.logger.info('fault: upgrade left hanging', { endpoint: 'realtime' });
      ctx.timers.set(() => socket.destroy(), FAULT_TIMEOUT_MS);
      return;
    }
    if (fault?.status !== undefined) {
      ctx.logger.info('fault: injected status', { endpoint: 'realtime', status: fault.status });
      return refuse(socket, fault.status, errorForStatus(fault.status, false));
    }

    const callId = url.searchParams.get('call_id');
    if (callId !== null) {
      if (creds.key?.startsWith('ek_')) return refuse(socket, 403, EPHEMERAL_SIDEBAND);
      if (refuseAfterUpgrade(req, socket, head, creds, authenticate(creds.key, undefined))) return;
      const session = ctx.callSession(callId);
      if (!session) return refuse(socket, 404, CALL_NOT_FOUND);
      accept(req, socket, head, (ws) => attachSideband(ws, session, callId, ctx.logger));
      return;
    }

    if (refuseAfterUpgrade(req, socket, head, creds, authenticate(creds.key, lookup))) return;
    const scenario = options.scenario ?? key?.scenario;
    if (scenario && !ctx.hasScenario(scenario)) {
      return refuse(socket, 400, invalidRequest('unknown_scenario', `rtvoice-sim has no scenario named '${scenario}'.`, 'x-sim-scenario'));
    }
    const session: RealtimeSession = key ? structuredClone(key.session) : defaultSession('', 0);
    // With an ephemeral key the model was fixed at minting; `?model=` is accepted and ignored.
    if (!key) session.model = url.searchParams.get('model') || DEFAULT_MODEL;
    session.id = newSessionId();
    session.expires_at = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
    const faults = mergeFaults(ctx.globalFaults, key?.faults, options.faults);
    accept(req, socket, head, (ws) => ctx.startSocketSession(ws, session, { faults, ...(scenario ? { scenario } : {}), beta: false }));
  };

  return {
    handle: (req, socket, head) => {
      if (closed) {
        socket.destroy();
        return;
      }
      pending.add(socket);
      socket.once('close', () => pending.delete(socket));
      // A client that goes away mid-handshake must not take the process down.
      socket.on('error', () => {});
      route(req, socket, head).catch((error: unknown) => {
        ctx.logger.error('upgrade failed', { error: error instanceof Error ? error.message : String(error) });
        refuse(socket, 500, errorForStatus(500, false));
      });
    },
    close: async () => {
      closed = true;
      for (const socket of pending) socket.destroy();
      pending.clear();
      const open = [...wss.clients].filter((ws) => ws.readyState !== ws.CLOSED);
      if (open.length > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.all(open.map((ws) => new Promise((resolve) => ws.once('close', resolve)))),
          new Promise((resolve) => {
            timer = setTimeout(resolve, CLOSE_GRACE_MS);
          }),
        ]);
        clearTimeout(timer);
      }
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * Checks a key the way the WebSocket endpoint does: a valid `ek_…` of this
 * sim (when `lookup` is given) or an `sk-…` key; anything else, or nothing,
 * is refused with the service's kind of message.
 */
function authenticate(key: string | undefined, lookup: KeyLookup | undefined): Auth {
  if (!key) return { ok: false, message: 'Missing bearer or basic authentication in header' };
  if (key.startsWith('sk-')) return { ok: true };
  if (lookup?.status === 'valid') return { ok: true };
  if (lookup?.status === 'expired') {
    return { ok: false, message: 'The ephemeral key has expired. Create a new one with POST /v1/realtime/client_secrets.' };
  }
  return { ok: false, message: `Incorrect API key provided: ${key.slice(0, 6)}***. You can create an ephemeral key with POST /v1/realtime/client_secrets.` };
}

/** Answers an upgrade request with an HTTP error and OpenAI's JSON body, then ends the socket. */
function refuse(socket: Duplex, status: number, error: WireError | Record<string, unknown>): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
