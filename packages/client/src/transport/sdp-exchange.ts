import { RtvoiceError } from '../errors.js';
import { redactSecrets } from '../redact.js';

/** The answer to an SDP offer, with the call id from the `Location` header when present. */
export interface SdpAnswer {
  sdp: string;
  callId: string | undefined;
}

/**
 * POSTs an SDP offer to a Realtime calls endpoint (GA: `/v1/realtime/calls`) and
 * returns the answer. A non-2xx answer becomes `sdp_rejected` carrying the
 * server's own error message: without reading it, the JSON error body would be
 * handed to `setRemoteDescription` and surface as an opaque parse failure.
 */
export async function exchangeSdp(
  callsUrl: string,
  ephemeralKey: string,
  offerSdp: string,
  signal: AbortSignal,
  fetchImpl: typeof fetch,
): Promise<SdpAnswer> {
  let res: Response;
  try {
    res = await fetchImpl(callsUrl, {
      method: 'POST',
      body: offerSdp,
      headers: { Authorization: `Bearer ${ephemeralKey}`, 'Content-Type': 'application/sdp' },
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw new RtvoiceError('aborted', 'The SDP exchange was aborted.', { cause: error });
    throw new RtvoiceError('network_error', `Could not reach the Realtime endpoint at ${originOf(callsUrl)}.`, {
      cause: error,
    });
  }
  const body = await res.text().catch(() => '');
  if (!res.ok) {
    const detail = redactSecrets(readErrorMessage(body));
    throw new RtvoiceError(
      'sdp_rejected',
      `The Realtime endpoint rejected the SDP offer with status ${res.status}${detail ? `: ${detail}` : '.'}`,
      { status: res.status, retryable: res.status === 429 || res.status >= 500 },
    );
  }
  if (!body.startsWith('v=')) {
    throw new RtvoiceError('sdp_rejected', `The Realtime endpoint answered ${res.status} without an SDP answer.`, {
      status: res.status,
    });
  }
  const location = res.headers.get('Location');
  return { sdp: body, callId: location ? location.split('/').pop() || undefined : undefined };
}

/** The `error.message` of an OpenAI-style JSON error body, or a short excerpt of any other body. */
function readErrorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string' && parsed.error.message) return parsed.error.message;
  } catch {
    // Not JSON: fall through to the excerpt.
  }
  return body.trim().slice(0, 200);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured URL';
  }
}
