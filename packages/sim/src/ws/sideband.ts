import type { WebSocket } from 'ws';
import type { SimLogger } from '../logger.js';
import { handleClientMessage } from '../session/client-events.js';
import type { SimSession } from '../session/session.js';
import { CLOSE_CODES, socketTransport } from './ws-session.js';

/**
 * Attaches a sideband socket (`GET /v1/realtime?call_id=rtc_…`) to the
 * session of a live WebRTC call.
 *
 * - From now on it gets every server event the session emits; no
 *   `session.created` on attach (as observed for WebRTC calls,
 *   pydantic-ai#6676).
 * - Its client events are handled exactly like the browser's; an `error`
 *   caused by one of them goes to this socket only.
 * - When the call ends (hangup, browser gone, scenario end, maximum
 *   duration) the socket is closed with 1000; when the sim closes, 1001.
 * - When the socket closes, it is detached; the call goes on.
 */
export function attachSideband(ws: WebSocket, session: SimSession, callId: string, logger: SimLogger): void {
  const transport = socketTransport(ws, (reason) =>
    reason === 'server_closed' ? [CLOSE_CODES.goingAway, 'rtvoice-sim is closing'] : [CLOSE_CODES.normal, 'call ended'],
  );
  const detach = session.attach(transport);
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
    handleClientMessage(session, text, transport);
  });
  ws.on('close', () => {
    detach();
    logger.debug('sideband detached', { call: callId });
  });
  ws.on('error', (error) => logger.warn('sideband error', { call: callId, error: error.message }));
  logger.info('sideband attached', { call: callId, session: session.id });
}
