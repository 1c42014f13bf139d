/**
 * The first gate of every request, before any cost: the `Host` check (DNS rebinding) and the
 * `Origin` check (CORS). Shared by every endpoint of this package.
 */
import { trustedHops, type ClientIpOptions } from './client-ip.js';
import { createOriginPolicy, type AllowedOrigins, type CorsOptions, type OriginPolicy } from './cors.js';
import { createHostCheck, type AllowedHosts } from './hosts.js';

/** The options the gate reads (a subset of the resolved handler options). */
export interface RequestGuardOptions {
  /** `allowedOrigins`; undefined is same origin only. */
  allowedOrigins: AllowedOrigins | undefined;
  /** `allowedHosts`; undefined is the default rule. */
  allowedHosts: AllowedHosts | undefined;
  /** `cors`. */
  cors: CorsOptions;
  /** `trustProxy` and `clientIpHeader`. */
  clientIp: ClientIpOptions;
  /** The function named in configuration errors. Default `"createTokenHandler"`. */
  factory?: string;
}

/** The gate for one endpoint. */
export interface RequestGuard {
  /**
   * Checks `Host` then `Origin`. Returns the headers every answer to this request carries
   * (`Vary: Origin`, and the CORS headers for an allowed cross-origin page); throws
   * `host_not_allowed` or `origin_not_allowed` (403).
   *
   * @param peerIp - the TCP peer address from the platform adapter, if any.
   */
  check(request: Request, peerIp: string | undefined): Headers;
  /** The 204 answer to a CORS preflight, after `check` passed; undefined for any other request. */
  preflight(request: Request): Response | undefined;
  /** The origin policy itself. */
  origins: OriginPolicy;
}

/**
 * Builds the gate. Throws `invalid_options` for `allowedOrigins: "*"` with
 * `cors.credentials: true`, or a malformed `allowedHosts` entry.
 */
export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const trustForwardedHost = trustedHops(options.clientIp.trustProxy) > 0;
  const origins = createOriginPolicy(options.allowedOrigins, options.cors, trustForwardedHost, options.factory);
  const hostCheck = createHostCheck({
    allowedHosts: options.allowedHosts,
    sameOrigin: options.allowedOrigins === undefined,
    behindProxy: trustForwardedHost || options.clientIp.clientIpHeader !== undefined,
    trustForwardedHost,
    ...(options.factory === undefined ? {} : { factory: options.factory }),
  });
  return {
    check(request, peerIp) {
      hostCheck(request, peerIp);
      return origins.check(request);
    },
    preflight: (request) => origins.preflight(request),
    origins,
  };
}
