import { SimError } from '../errors.js';

/** An HTTP fault on one endpoint. */
export interface HttpFault {
  /** Answer with this status and OpenAI's JSON error body for it. */
  status?: number;
  /** Wait this long before handling the request. */
  delayMs?: number;
  /** Never answer (the socket is destroyed after `timeoutMs`, default 30 s). */
  timeout?: boolean;
  /** Apply only to the first N matching requests. */
  times?: number;
}

/**
 * Endpoints that accept HTTP faults. `realtime` is the WebSocket upgrade of
 * `GET /v1/realtime` (the WebSocket transport and the sideband).
 */
export type FaultEndpoint = 'client_secrets' | 'calls' | 'sessions' | 'realtime';

/** Every fault the sim can inject. */
export interface FaultSpec {
  http?: Partial<Record<FaultEndpoint, HttpFault>>;
  /**
   * Close the data channel (a WebSocket session: drop the socket): `mid_response`
   * (after the first response's first delta) or after N ms.
   */
  dataChannel?: { closeMidResponse?: boolean; closeAfterMs?: number };
  /** Stop sending audio frames: at once (`afterMs` 0) or after N ms. */
  audio?: { stopAfterMs: number };
  /** Send a frame that is not JSON: right after `session.created`, or in the middle of the first response. */
  malformed?: 'after_created' | 'mid_response';
  /**
   * Send events of types the protocol does not define (as a newer service
   * might): right after `session.created`, or in the middle of the first response.
   */
  unknownEvents?: 'after_created' | 'mid_response';
  /** Minted keys expire after this many seconds (overrides `expires_after`, may be below 10). */
  keyTtlSeconds?: number;
  /**
   * `blackhole`: the SDP answer's candidates point at a UDP socket that drops
   * everything, as on a network that blocks UDP: the SDP exchange succeeds,
   * ICE never connects.
   */
  ice?: 'blackhole';
  /**
   * The call's media path goes dead this many ms after the data channel
   * opened: every datagram is dropped both ways from then on, as when a
   * laptop leaves its Wi-Fi. Neither side is told; both see ICE fail.
   * WebRTC calls only.
   */
  iceCutAfterMs?: number;
  /**
   * The call's rtc host (the process running its native WebRTC stack) dies of SIGSEGV this many
   * ms after the data channel opened, as a crash of the native binding would. The call ends;
   * the sim and every other session go on. WebRTC calls with `rtcHosts: "process"` only.
   */
  rtcCrashAfterMs?: number;
}

const HTTP_STATUSES = new Set([400, 401, 403, 404, 429, 500, 502, 503]);

/**
 * Parses the fault syntax shared by the CLI (`--fault`), `startSim({faults})`,
 * the `X-Sim-Fault` header and the `sim_fault` query parameter: a list of
 * `target=action` tokens separated by commas or semicolons, e.g.
 * `calls=429`, `client_secrets=delay:800`, `calls=timeout`, `calls=500*1`,
 * `realtime=503` (refuse the WebSocket upgrade),
 * `dc=mid_response`, `dc=after:1500`, `audio=stop`, `audio=stop_after:2000`,
 * `malformed=after_created`, `unknown=after_created`, `unknown=mid_response`,
 * `key_ttl=2`, `ice=blackhole`, `ice=cut_after:3000`, `rtc=crash_after:500`.
 *
 * @throws SimError `invalid_fault` on anything else.
 */
export function parseFaults(text: string): FaultSpec {
  const spec: FaultSpec = {};
  for (const token of text.split(/[,;]/).map((t) => t.trim()).filter(Boolean)) {
    const eq = token.indexOf('=');
    if (eq < 0) throw bad(token);
    const target = token.slice(0, eq).trim().toLowerCase();
    const action = token.slice(eq + 1).trim().toLowerCase();
    if (target === 'client_secrets' || target === 'calls' || target === 'sessions' || target === 'realtime') {
      spec.http = { ...spec.http, [target]: { ...spec.http?.[target], ...parseHttp(action, token) } };
    } else if (target === 'dc') {
      if (action === 'mid_response' || action === 'close_mid_response') spec.dataChannel = { closeMidResponse: true };
      else spec.dataChannel = { closeAfterMs: parseMs(action.replace(/^(close_)?after:/, ''), token) };
    } else if (target === 'audio') {
      if (action === 'stop') spec.audio = { stopAfterMs: 0 };
      else if (action.startsWith('stop_after:')) spec.audio = { stopAfterMs: parseMs(action.slice(11), token) };
      else throw bad(token);
    } else if (target === 'malformed') {
      if (action !== 'after_created' && action !== 'mid_response') throw bad(token);
      spec.malformed = action;
    } else if (target === 'unknown') {
      if (action !== 'after_created' && action !== 'mid_response') throw bad(token);
      spec.unknownEvents = action;
    } else if (target === 'ice') {
      if (action === 'blackhole') spec.ice = action;
      else if (action.startsWith('cut_after:')) spec.iceCutAfterMs = parseMs(action.slice(10), token);
      else throw bad(token);
    } else if (target === 'rtc') {
      if (action.startsWith('crash_after:')) spec.rtcCrashAfterMs = parseMs(action.slice(12), token);
      else throw bad(token);
    } else if (target === 'key_ttl') {
      const seconds = Number(action);
      if (!Number.isFinite(seconds) || seconds <= 0) throw bad(token);
      spec.keyTtlSeconds = seconds;
    } else {
      throw bad(token);
    }
  }
  return spec;
}

function parseHttp(action: string, token: string): HttpFault {
  const [body, times] = action.split('*');
  const fault: HttpFault = {};
  if (times !== undefined) {
    const n = Number(times);
    if (!Number.isInteger(n) || n < 1) throw bad(token);
    fault.times = n;
  }
  if (body === 'timeout') fault.timeout = true;
  else if (body?.startsWith('delay:')) fault.delayMs = parseMs(body.slice(6), token);
  else {
    const status = Number(body);
    if (!HTTP_STATUSES.has(status)) throw bad(token);
    fault.status = status;
  }
  return fault;
}

function parseMs(text: string, token: string): number {
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms < 0 || ms > 600_000) throw bad(token);
  return ms;
}

function bad(token: string): SimError {
  return new SimError('invalid_fault', `Invalid fault "${token}". See the README's fault table.`);
}

/** Layers fault specs: later ones override earlier ones per target. */
export function mergeFaults(...specs: Array<FaultSpec | undefined>): FaultSpec {
  const out: FaultSpec = {};
  for (const spec of specs) {
    if (!spec) continue;
    if (spec.http) out.http = { ...out.http, ...spec.http };
    if (spec.dataChannel) out.dataChannel = spec.dataChannel;
    if (spec.audio) out.audio = spec.audio;
    if (spec.malformed) out.malformed = spec.malformed;
    if (spec.unknownEvents) out.unknownEvents = spec.unknownEvents;
    if (spec.iceCutAfterMs !== undefined) out.iceCutAfterMs = spec.iceCutAfterMs;
    if (spec.rtcCrashAfterMs !== undefined) out.rtcCrashAfterMs = spec.rtcCrashAfterMs;
    if (spec.keyTtlSeconds !== undefined) out.keyTtlSeconds = spec.keyTtlSeconds;
    if (spec.ice) out.ice = spec.ice;
  }
  return out;
}
