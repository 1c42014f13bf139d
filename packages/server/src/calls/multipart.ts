/**
 * The two halves of the "unified interface" (PROTOCOL §3.1, §14.2): reading the browser's SDP
 * offer, and posting it upstream as `multipart/form-data` — a `sdp` part (`application/sdp`)
 * and a `session` part (`application/json`, the pinned GA session) — with the real key, through
 * the package's one upstream POST (timeout, capped answer, no blind retry).
 */
import { readBounded } from '../body.js';
import { isTokenHandlerError } from '../errors.js';
import type { RealtimeSessionConfig } from '../session.js';
import { parseProviderError, postUpstream, upstreamStatusError, type UpstreamFailureDetail } from '../upstream.js';
import { CallHandlerError } from './errors.js';
import type { CallEndpoints } from './providers.js';

/**
 * Reads the browser's offer: `Content-Type: application/sdp` (415 otherwise), at most `maxBytes`
 * (413), UTF-8 text that starts like an SDP session description (400 `invalid_offer`).
 */
export async function readOffer(request: Request, maxBytes: number): Promise<string> {
  const type = (request.headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/sdp') {
    throw new CallHandlerError('unsupported_media_type', 'Send the SDP offer as application/sdp.');
  }
  const bytes = await readBounded(request, maxBytes);
  let sdp: string;
  try {
    sdp = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CallHandlerError('invalid_offer', 'The SDP offer is not valid UTF-8.');
  }
  if (!/^v=0\r?\n/.test(sdp) || !/\r?\nm=/.test(sdp)) {
    throw new CallHandlerError('invalid_offer', 'The request body is not an SDP offer.');
  }
  return sdp;
}

/**
 * A `multipart/form-data` body with a typed part per field, as OpenAI's reference curl sends
 * it (`-F "sdp=<offer.sdp;type=application/sdp" -F 'session=…;type=application/json'`).
 */
export function multipartBody(parts: ReadonlyArray<{ name: string; type: string; value: string }>): { contentType: string; body: Uint8Array<ArrayBuffer> } {
  const boundary = `rtvoice-${crypto.randomUUID()}`;
  let text = '';
  for (const part of parts) {
    text += `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\nContent-Type: ${part.type}\r\n\r\n${part.value}\r\n`;
  }
  text += `--${boundary}--\r\n`;
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: new TextEncoder().encode(text) };
}

/** Everything needed to create one call upstream. */
export interface CreateCallRequest {
  endpoints: CallEndpoints;
  sdp: string;
  session: RealtimeSessionConfig;
  /** HMAC of the user id for `OpenAI-Safety-Identifier` (OpenAI only), if any. */
  safetyIdentifier: string | undefined;
  timeoutMs: number;
  /** Aborted when the browser goes away. */
  signal: AbortSignal | undefined;
  fetch: typeof fetch;
}

/** A created call: the SDP answer and the call id from `Location` (undefined when absent). */
export interface CreatedCall {
  answer: string;
  callId: string | undefined;
  upstreamMs: number;
}

const CALL_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * What the browser may learn of an upstream failure: `invalid_offer` (400) when the provider
 * refused the offer itself; 503 `upstream_unavailable` when waiting may help (429, 503, a
 * timeout); 502 `upstream_error` for everything else. The detail stays in `cause` for the log.
 */
function forBrowser(error: unknown): unknown {
  if (!isTokenHandlerError(error)) return error;
  const cause = error.cause as UpstreamFailureDetail | undefined;
  const options = { cause, ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }) };
  switch (error.code) {
    case 'client_closed_request':
      return new CallHandlerError('client_closed_request', error.message, options);
    case 'upstream_unavailable':
      return new CallHandlerError('upstream_unavailable', 'The voice service is busy. Try again shortly.', { retryAfterSeconds: 5, ...options });
    case 'upstream_timeout':
      return new CallHandlerError('upstream_unavailable', 'The voice service did not answer in time. Try again shortly.', { ...options, retryAfterSeconds: 1 });
    default:
      if (cause?.upstreamStatus === 400 && cause.upstreamCode === 'invalid_offer') {
        return new CallHandlerError('invalid_offer', 'The voice service could not use this SDP offer.', options);
      }
      return new CallHandlerError('upstream_error', 'The voice service could not start the call.', options);
  }
}

/**
 * `POST {base}/realtime/calls` with the offer and the pinned session. Resolves with the `201`
 * answer, or throws a {@link CallHandlerError} whose `cause` is an {@link UpstreamFailureDetail}.
 */
export async function createUpstreamCall(req: CreateCallRequest): Promise<CreatedCall> {
  const { contentType, body } = multipartBody([
    { name: 'sdp', type: 'application/sdp', value: req.sdp },
    { name: 'session', type: 'application/json', value: JSON.stringify(req.session) },
  ]);
  const headers: Record<string, string> = { ...req.endpoints.headers, 'content-type': contentType, accept: 'application/sdp, application/json' };
  if (req.safetyIdentifier !== undefined && req.endpoints.name === 'openai') headers['openai-safety-identifier'] = req.safetyIdentifier;
  try {
    const answer = await postUpstream({ url: req.endpoints.callsUrl, headers, body, timeoutMs: req.timeoutMs, signal: req.signal, fetch: req.fetch });
    if (answer.status !== 201 && answer.status !== 200) throw upstreamStatusError(answer);
    if (!answer.text.startsWith('v=')) {
      throw new CallHandlerError('upstream_error', 'The voice service sent an unexpected answer.', {
        cause: { upstreamMs: answer.upstreamMs, upstreamStatus: answer.status, ...parseProviderError(answer.text) } satisfies UpstreamFailureDetail,
      });
    }
    const id = (answer.headers.get('location') ?? '').split('?', 1)[0]?.split('/').pop();
    return { answer: answer.text, callId: id !== undefined && CALL_ID.test(id) ? id : undefined, upstreamMs: answer.upstreamMs };
  } catch (error) {
    throw forBrowser(error);
  }
}
