import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireError } from '../protocol/wire-error.js';

/** Request headers a browser page may send cross-origin (preflight answer). */
export const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'x-openai-agents-sdk',
  'openai-beta',
  'openai-safety-identifier',
  'x-sim-fault',
  'x-sim-scenario',
];

/**
 * CORS headers for every response: any origin (the sim has no cookies or
 * real keys), the headers browser SDKs send, and `Location` exposed so a
 * page can read its call id.
 */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const requested = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const allow = [...new Set([...ALLOWED_HEADERS, ...requested])].join(', ');
  return {
    'access-control-allow-origin': typeof req.headers.origin === 'string' ? req.headers.origin : '*',
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers': allow,
    'access-control-expose-headers': 'Location',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}

/** Writes a JSON response with CORS headers. */
export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...corsHeaders(req),
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Writes OpenAI's error body `{"error":{message,type,param,code}}`. */
export function sendError(req: IncomingMessage, res: ServerResponse, status: number, error: WireError | Record<string, unknown>): void {
  sendJson(req, res, status, { error });
}

/**
 * The error body the service returns for a given status, used for injected
 * faults and for the sim's own failures. 400 on an SDP endpoint is
 * `invalid_offer`; 429 is the quota error seen on `/v1/realtime/calls`.
 */
export function errorForStatus(status: number, sdpEndpoint: boolean): WireError | Record<string, unknown> {
  switch (status) {
    case 400:
      return sdpEndpoint ? INVALID_OFFER : { message: 'Invalid request (injected by rtvoice-sim).', type: 'invalid_request_error', param: null, code: null };
    case 401:
      return { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' };
    case 403:
      return { message: 'Forbidden (injected by rtvoice-sim).', type: 'invalid_request_error', param: null, code: null };
    case 404:
      return { message: 'Not found (injected by rtvoice-sim).', type: 'invalid_request_error', param: null, code: null };
    case 429:
      return {
        message: 'You exceeded your current quota, please check your plan and billing details.',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      };
    case 502:
    case 503:
      return { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null };
    default:
      return { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null };
  }
}

/** The service's answer to a malformed offer (verbatim, fixture `errors_http_and_event_payloads`). */
export const INVALID_OFFER: WireError = {
  message: 'Invalid SDP offer. Please try again with a WHIP-compliant offer.',
  type: 'invalid_request_error',
  param: null,
  code: 'invalid_offer',
};
