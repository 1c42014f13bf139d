/**
 * The call-control endpoints of a provider (PROTOCOL §3.1, §14.2, §14.3), on top of the
 * package's provider resolution (`provider.ts`: base URL, key, auth header, Azure deployment):
 *
 * - create: `POST {base}/realtime/calls` (multipart `sdp` + `session`);
 * - hangup: `POST {base}/realtime/calls/{call_id}/hangup`;
 * - sideband: `wss://{base host}{base path}/realtime?call_id={call_id}`.
 *
 * `{base}` is `https://api.openai.com/v1`, Azure's `https://<resource>.openai.azure.com/openai/v1`,
 * or any GA-compatible server (`@rtvoice/sim`); the key goes as `Authorization: Bearer` or, on
 * Azure, `api-key`.
 */
import type { UpstreamProvider } from '../provider.js';
import type { CallUpstream } from './types.js';

/** A provider name as the call controller sees it: OpenAI's wire shape (also the sim's) or Azure's. */
export type CallProviderName = 'openai' | 'azure';

/** Where a provider's call endpoints are, for one key. */
export interface CallEndpoints {
  /** Which wire shape. */
  name: CallProviderName;
  /** `POST` the multipart offer here. */
  callsUrl: string;
  /** Authentication headers (empty without a key). */
  headers: Readonly<Record<string, string>>;
  /** The key, to scrub from logs. */
  secrets: readonly string[];
  /** The per-call URLs and headers a controller needs. */
  upstreamFor(callId: string, fetchImpl: typeof fetch, timeoutMs: number): CallUpstream;
}

/** The call endpoints of a resolved provider. */
export function callEndpoints(provider: UpstreamProvider): CallEndpoints {
  const base = provider.baseUrl;
  const wsBase = base.replace(/^http/i, 'ws');
  const name: CallProviderName = provider.kind === 'azure' ? 'azure' : 'openai';
  const secrets = provider.apiKey === undefined ? [] : [provider.apiKey];
  return {
    name,
    callsUrl: `${base}/realtime/calls`,
    headers: provider.authHeaders,
    secrets,
    upstreamFor: (callId, fetchImpl, timeoutMs) => ({
      provider: name,
      sidebandUrl: `${wsBase}/realtime?call_id=${encodeURIComponent(callId)}`,
      hangupUrl: `${base}/realtime/calls/${encodeURIComponent(callId)}/hangup`,
      headers: provider.authHeaders,
      secrets,
      fetch: fetchImpl,
      timeoutMs,
    }),
  };
}
