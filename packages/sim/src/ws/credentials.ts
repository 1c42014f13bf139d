import type { IncomingMessage } from 'node:http';

/** The subprotocol a browser offers first, which the handshake must select. */
export const REALTIME_SUBPROTOCOL = 'realtime';
/** Prefix of the subprotocol carrying the key in a browser (`openai-insecure-api-key.<key>`). */
export const KEY_SUBPROTOCOL_PREFIX = 'openai-insecure-api-key.';
/** Prefix of the beta interface's subprotocol (`openai-beta.realtime-v1`). */
export const BETA_SUBPROTOCOL_PREFIX = 'openai-beta.';

/** What a WebSocket upgrade request presents. */
export interface UpgradeCredentials {
  /** The key, from `Authorization: Bearer` or else the `openai-insecure-api-key.` subprotocol. */
  key: string | undefined;
  /** True when the request is beta-shaped: an `OpenAI-Beta` header or an `openai-beta.` subprotocol. */
  beta: boolean;
}

/** The subprotocols offered in `Sec-WebSocket-Protocol`, in order. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * Reads the credential of a `GET /v1/realtime` upgrade: a server sends
 * `Authorization: Bearer <key>`; a browser, which cannot set headers, offers
 * the subprotocols `realtime`, `openai-insecure-api-key.<key>` and optionally
 * `openai-organization.…`, `openai-project.…` (DOC-WS).
 */
export function readUpgradeCredentials(req: IncomingMessage): UpgradeCredentials {
  const protocols = offeredSubprotocols(req);
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
  const fromProtocol = protocols.find((p) => p.startsWith(KEY_SUBPROTOCOL_PREFIX))?.slice(KEY_SUBPROTOCOL_PREFIX.length);
  return {
    key: bearer ?? (fromProtocol || undefined),
    beta: req.headers['openai-beta'] !== undefined || protocols.some((p) => p.startsWith(BETA_SUBPROTOCOL_PREFIX)),
  };
}

/**
 * The subprotocol the handshake selects: `realtime` when offered (Chromium
 * fails a handshake that selects none of several offered protocols), else
 * none.
 */
export function selectSubprotocol(offered: ReadonlySet<string>): string | false {
  return offered.has(REALTIME_SUBPROTOCOL) ? REALTIME_SUBPROTOCOL : false;
}
