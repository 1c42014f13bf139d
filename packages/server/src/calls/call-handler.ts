/**
 * `createCallHandler`: the Web-standard call endpoint. The browser POSTs its SDP offer here with
 * the app's own credentials; the server creates the call upstream with the real key and the
 * pinned session, answers the SDP, and hands the call to its controller. No key reaches the page.
 */
import { resolveClientIp } from '../client-ip.js';
import { createRequestGuard, type RequestGuard } from '../guard.js';
import { runAuthorize, userKey } from '../identity.js';
import { createRateCheck } from '../rate-limit/limiter.js';
import type { UpstreamFailureDetail } from '../upstream.js';
import { asCallError, resolveCallOptions, type CallHandlerOptions } from './call-options.js';
import { CallHandlerError, callErrorResponse, toCallError } from './errors.js';
import { createCallLog, type CallLogEntry } from './log.js';
import { createUpstreamCall, readOffer } from './multipart.js';
import { acquireSlot } from './slots.js';
import type { CallSlot } from './types.js';

/**
 * The call endpoint: `(request, context?) => Promise<Response>`, answering `POST` (an SDP offer)
 * and `OPTIONS` (CORS preflight). The second argument may carry `{ clientIp }` (the Node
 * adapters fill it in); anything else there is ignored.
 */
export type CallHandler = (request: Request, context?: unknown) => Promise<Response>;

function contextIp(context: unknown): string | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const ip: unknown = (context as { clientIp?: unknown }).clientIp;
  return typeof ip === 'string' && ip.length > 0 && ip.length <= 64 ? ip : undefined;
}

function detailOf(error: CallHandlerError): Partial<UpstreamFailureDetail> {
  const cause: unknown = error.cause;
  if (typeof cause !== 'object' || cause === null) return {};
  const { upstreamStatus, upstreamCode, upstreamType, upstreamMessage, causeCode, upstreamMs } = cause as Partial<UpstreamFailureDetail>;
  return {
    ...(typeof upstreamStatus === 'number' ? { upstreamStatus } : {}),
    ...(typeof upstreamCode === 'string' ? { upstreamCode } : {}),
    ...(typeof upstreamType === 'string' ? { upstreamType } : {}),
    ...(typeof upstreamMessage === 'string' ? { upstreamMessage } : {}),
    ...(typeof causeCode === 'string' ? { causeCode } : {}),
    ...(typeof upstreamMs === 'number' ? { upstreamMs } : {}),
  };
}

/**
 * Creates the call endpoint. Options are validated once, here: a bad one throws a
 * {@link CallHandlerError} (`invalid_options`, `missing_api_key`) before any request is served.
 *
 * @example
 * ```ts
 * import { createCallHandler } from '@rtvoice/server';
 * import { createCallController, toNodeListener } from '@rtvoice/server/node';
 * const controller = createCallController({ maxDurationS: 600, serverTools: [lookupOrder] });
 * const calls = toNodeListener(createCallHandler({ session, controller, authorize }));
 * ```
 */
export function createCallHandler(options: CallHandlerOptions = {}): CallHandler {
  const o = resolveCallOptions(options);
  const secrets = o.endpoints.secrets;
  const log = createCallLog(o.logger, secrets);
  const leaksSecret = (text: string) => secrets.some((secret) => text.includes(secret));
  let guard: RequestGuard;
  try {
    guard = createRequestGuard(o);
  } catch (error) {
    throw asCallError(error);
  }
  const rateCheck = createRateCheck(o.rateLimit);
  const { model } = o;
  const cooldown = new LimitCooldown(o.limitCooldownMs);

  return async function callHandler(request: Request, context?: unknown): Promise<Response> {
    const started = performance.now();
    const peerIp = contextIp(context);
    const ip = resolveClientIp(request, peerIp, o.clientIp);
    const origin = request.headers.get('origin') ?? undefined;
    let headers = new Headers({ vary: 'Origin' });
    let userId: string | undefined;
    let userLabel: string | undefined;
    let slot: CallSlot | undefined;
    const base = (): Omit<CallLogEntry, 'time' | 'level' | 'event'> => ({
      ip,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(origin === undefined ? {} : { origin: origin.slice(0, 200) }),
      ...(userLabel === undefined ? {} : { user: userLabel }),
    });
    try {
      headers = guard.check(request, peerIp);
      if (request.method === 'OPTIONS') {
        const preflight = guard.preflight(request);
        if (preflight !== undefined) return preflight;
        headers.set('allow', 'POST, OPTIONS');
        return new Response(null, { status: 204, headers });
      }
      if (request.method !== 'POST') {
        headers.set('allow', 'POST, OPTIONS');
        throw new CallHandlerError('method_not_allowed', `POST the SDP offer to start a call (got ${request.method.slice(0, 16)}).`);
      }
      await rateCheck('ip', ip);
      userId = await runAuthorize(o.authorize, request, { ip });
      let user: { key: string; label: string } | undefined;
      if (userId !== undefined) {
        user = await userKey(userId, o.safetySecret);
        userLabel = user.label;
        await rateCheck('user', user.key);
      }
      const subject = user === undefined ? `ip:${ip}` : `user:${user.key}`;
      const limited = cooldown.reason(subject);
      if (limited !== undefined) {
        throw new CallHandlerError('call_limit_reached', `The last call was ended by the server (${limited}). Start a new call later.`);
      }
      const sdp = await readOffer(request, o.maxOfferBytes);
      if (o.maxCalls !== undefined) {
        slot = await acquireSlot(o.callSlots, subject, o.maxCalls, o.slotTtlMs);
      }
      const created = await createUpstreamCall({
        endpoints: o.endpoints,
        sdp,
        session: o.session,
        safetyIdentifier: o.safetySecret === undefined ? undefined : user?.key,
        timeoutMs: o.timeoutMs,
        signal: request.signal,
        fetch: o.fetch,
      });
      if (created.callId === undefined && o.controller !== undefined) {
        // Without an id the call cannot be controlled (nor hung up): refuse it rather than run it unpoliced.
        throw new CallHandlerError('upstream_error', 'The voice service sent an unexpected answer.', {
          cause: { upstreamStatus: 201, upstreamCode: 'missing_location', upstreamMs: created.upstreamMs } satisfies UpstreamFailureDetail,
        });
      }
      if (leaksSecret(created.answer)) throw new CallHandlerError('upstream_error', 'The voice service sent an unexpected answer.');
      const callId = created.callId ?? '';
      o.controller?.start({
        callId,
        userId,
        userTag: userLabel,
        ip,
        model,
        session: o.session,
        upstream: o.endpoints.upstreamFor(callId, o.fetch, o.timeoutMs),
        slot,
        onHangup: (reason) => cooldown.note(subject, reason),
      });
      slot = undefined; // The controller owns it now.
      try {
        await o.onCall?.({ callId, userId, ip, model, origin });
      } catch {
        // A failing metrics hook must not cost the user their call.
      }
      log({ level: 'info', event: 'call.connected', status: 201, ...base(), ...(callId ? { callId } : {}), model, upstreamMs: created.upstreamMs });
      headers.set('content-type', 'application/sdp');
      headers.set('cache-control', 'no-store');
      headers.set('x-content-type-options', 'nosniff');
      return new Response(created.answer, { status: 201, headers });
    } catch (caught) {
      await slot?.release().catch(() => {});
      const error = toCallError(caught, leaksSecret);
      const failed = error.status >= 500 || error.code.startsWith('upstream_');
      try {
        await o.onReject?.({ code: error.code, status: error.status, userId, ip, origin });
      } catch {
        // Same as onCall: observability must not change the answer.
      }
      log({
        level: failed ? 'error' : 'warn',
        event: failed ? 'call.failed' : 'call.rejected',
        status: error.status,
        code: error.code,
        ...base(),
        ...detailOf(error),
      });
      return callErrorResponse(error, headers);
    }
  };
}

/** Reasons a controller ends a call for: the page must not simply reconnect. */
const LIMIT_REASONS: ReadonlySet<string> = new Set(['max_duration', 'max_cost', 'idle_timeout', 'pin_violations']);
/** Subjects remembered at most (the oldest are forgotten first). */
const MAX_COOLDOWNS = 10_000;

/** Who was just hung up for a limit, and until when their next call is refused. */
class LimitCooldown {
  readonly #ms: number;
  readonly #until = new Map<string, { until: number; reason: string }>();
  constructor(ms: number) {
    this.#ms = ms;
  }
  /** Records the end of a call; only limit reasons count. */
  note(subject: string, reason: string): void {
    if (this.#ms <= 0 || !LIMIT_REASONS.has(reason)) return;
    this.#until.delete(subject);
    this.#until.set(subject, { until: Date.now() + this.#ms, reason });
    if (this.#until.size > MAX_COOLDOWNS) this.#until.delete(this.#until.keys().next().value!);
  }
  /** The limit `subject` is still cooling down from, if any. */
  reason(subject: string): string | undefined {
    const entry = this.#until.get(subject);
    if (entry === undefined) return undefined;
    if (entry.until > Date.now()) return entry.reason;
    this.#until.delete(subject);
    return undefined;
  }
}
