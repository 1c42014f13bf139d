import type { WebSocket } from 'ws';
import { installSessionFaults } from '../faults/session-faults.js';
import type { FaultSpec } from '../faults/fault-spec.js';
import type { SimLogger } from '../logger.js';
import { handleClientMessage } from '../session/client-events.js';
import type { SessionTransport, SimSession } from '../session/session.js';

/** Close codes the sim uses on its WebSockets. */
export const CLOSE_CODES = {
  /** The session ended normally (scenario end, hangup of a sideband's call). */
  normal: 1000,
  /** The server goes away (sim closing) or the session hit its maximum duration. */
  goingAway: 1001,
  /** Refused credential (`invalid_request_error.invalid_api_key`), as observed on the service. */
  invalidApiKey: 3000,
  /** Beta-shaped handshake (`invalid_request_error.beta_api_shape_disabled`), as observed on the service. */
  betaShape: 4000,
} as const;

/** Close reasons of the service (`<error type>.<code>`), limited to 123 bytes by the protocol. */
export const CLOSE_REASONS = {
  invalidApiKey: 'invalid_request_error.invalid_api_key',
  betaShape: 'invalid_request_error.beta_api_shape_disabled',
  sessionExpired: 'Your session hit the maximum duration of 60 minutes.',
} as const;

/** Close code and reason for the main socket of a session closed for `reason`. */
function closeFor(reason: string | undefined): [number, string] {
  if (reason === 'session_expired') return [CLOSE_CODES.goingAway, CLOSE_REASONS.sessionExpired];
  if (reason === 'server_closed') return [CLOSE_CODES.goingAway, 'rtvoice-sim is closing'];
  return [CLOSE_CODES.normal, ''];
}

/**
 * A session transport on a WebSocket: text frames out (dropped once the
 * socket is no longer open); `close(reason)` closes with the code that
 * matches the session's close reason (1001 at the maximum duration or when
 * the sim closes, else 1000).
 */
export function socketTransport(ws: WebSocket, codeFor: (reason: string | undefined) => [number, string] = closeFor): SessionTransport {
  return {
    send: (text) => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    },
    close: (reason) => {
      if (ws.readyState !== ws.OPEN && ws.readyState !== ws.CONNECTING) return;
      const [code, text] = codeFor(reason);
      ws.close(code, text);
    },
  };
}

/**
 * Runs a session over an accepted WebSocket (`GET /v1/realtime`): sends
 * `session.created` at once (the socket is open, like the data channel
 * opening), installs the session faults (`dc=…` drops the socket with no
 * close frame, as a network loss would), feeds every text frame to the
 * session as a client event and closes the session when the socket closes.
 */
export function runSocketSession(
  ws: WebSocket,
  session: SimSession,
  transport: SessionTransport,
  faults: FaultSpec,
  logger: SimLogger,
): void {
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
    handleClientMessage(session, text, transport);
  });
  ws.on('close', (code) => {
    logger.debug('websocket closed', { session: session.id, code });
    session.close('socket_closed');
  });
  ws.on('error', (error) => logger.warn('websocket error', { session: session.id, error: error.message }));
  session.open();
  installSessionFaults(
    {
      session,
      sendRaw: (text) => transport.send(text),
      closeChannel: () => ws.terminate(),
    },
    faults,
  );
}
