import { RtvoiceError } from '../errors.js';
import { redactSecrets } from '../redact.js';

/** The answer to an SDP offer, with the call id from the `Location` header when present. */
export interface SdpAnswer {
  sdp: string;
  callId: string | undefined;
}

/**
 * POSTs an SDP offer to a Realtime calls endpoint (GA: `/v1/realtime/calls`), or
 * without a key to the app's own call endpoint, and
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
  request: { headers?: Record<string, string>; credentials?: RequestCredentials } = {},
): Promise<SdpAnswer> {
  let res: Response;
  try {
    // With a key, to the Realtime endpoint; without, to the app's own call endpoint, with the app's credentials.
    res = await fetchImpl(callsUrl, {
      method: 'POST',
      body: offerSdp,
      headers: { ...(ephemeralKey ? { Authorization: `Bearer ${ephemeralKey}` } : request.headers), 'Content-Type': 'application/sdp' },
      credentials: ephemeralKey ? undefined : request.credentials,
      signal,
    });
  } catch (error) {
    throw signal.aborted
      ? new RtvoiceError('aborted', 'Aborted.', { cause: error })
      : new RtvoiceError('network_error', `Cannot reach ${callsUrl.split('/', 3).join('/')}.`, { cause: error });
  }
  const body = await res.text().catch(() => '');
  const status = res.status;
  if (!res.ok || !body.startsWith('v=')) {
    let detail = body.trim().slice(0, 200);
    try {
      detail = JSON.parse(body).error.message || detail;
    } catch {
      // Not an OpenAI-style JSON error: keep the excerpt.
    }
    throw new RtvoiceError('sdp_rejected', `SDP offer refused (${status})${detail ? `: ${redactSecrets(String(detail))}` : '.'}`, {
      status,
      retryable: status === 429 || status >= 500,
    });
  }
  const location = res.headers.get('Location');
  return { sdp: body, callId: location?.split('/').pop() || undefined };
}
