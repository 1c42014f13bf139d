/**
 * Who may mint from a browser: the origin allowlist, CORS preflight and CORS response headers.
 *
 * The `Origin` check stops *other web sites* from minting keys through their visitors'
 * browsers. It is not authentication: a non-browser client can send any `Origin` (or none),
 * which is what `authorize` and the rate limits are for.
 */
import { TokenHandlerError } from './errors.js';
import { requestHost } from './hosts.js';

/**
 * Which browser origins may mint:
 * - unset (default): **same origin only**: the `Origin` header's host must equal the request's
 *   host (`Host`, or `X-Forwarded-Host` when `trustProxy` is set). The scheme is not compared,
 *   because TLS is usually terminated in front of the handler;
 * - an array of exact origins, e.g. `["https://example.com", "https://www.example.com"]`;
 * - a function deciding per origin;
 * - `"*"`: any origin (only for endpoints protected by `authorize`, or for local development;
 *   refused together with `cors.credentials: true`).
 *
 * `Origin: null` (sandboxed frames, `file:` pages, some redirects) is never allowed and never
 * echoed, whatever the setting. Requests without an `Origin` header (curl, server-to-server)
 * are not browser requests and pass this check; protect them with `authorize` and the rate
 * limits.
 */
export type AllowedOrigins = '*' | readonly string[] | ((origin: string, request: Request) => boolean);

/** CORS details for cross-origin deployments. */
export interface CorsOptions {
  /** Extra request headers the browser may send (always allowed: `content-type`). Default `["authorization"]`. */
  allowHeaders?: readonly string[];
  /**
   * Send `Access-Control-Allow-Credentials: true` so cross-origin cookies reach `authorize`.
   * Default false. Refused with `allowedOrigins: "*"` (any site could then mint as your
   * signed-in users).
   */
  credentials?: boolean;
  /** How long browsers may cache a preflight, in seconds. Default 600. */
  maxAgeSeconds?: number;
}

/** The origin policy after defaults. */
export interface OriginPolicy {
  /** Decides whether a request's `Origin` may mint. */
  allows: (origin: string, request: Request) => boolean;
  /** Headers to add to every response for an allowed origin. */
  responseHeaders: (origin: string | undefined) => Headers;
  /** Headers of a successful preflight answer. */
  preflightHeaders: (origin: string) => Headers;
  /**
   * The whole check for one request: no `Origin` passes (not a browser); an allowed one gets
   * `Vary: Origin` plus the CORS response headers to put on the answer; anything else throws
   * `origin_not_allowed` (403).
   */
  check: (request: Request) => Headers;
  /**
   * The answer to a CORS preflight (`OPTIONS` with `Origin` and
   * `Access-Control-Request-Method`), after {@link OriginPolicy.check} passed; undefined for
   * any other request.
   */
  preflight: (request: Request) => Response | undefined;
}

function normaliseOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

function hostOf(value: string): string | undefined {
  try {
    return new URL(value).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Builds the origin policy.
 *
 * @param allowed - the `allowedOrigins` option.
 * @param cors - the `cors` option.
 * @param trustForwardedHost - whether `X-Forwarded-Host` names the public host (set by `trustProxy`).
 * @param factory - the function named in configuration errors.
 * @throws TokenHandlerError `invalid_options` for `"*"` with `cors.credentials: true`.
 */
export function createOriginPolicy(
  allowed: AllowedOrigins | undefined,
  cors: CorsOptions = {},
  trustForwardedHost = false,
  factory = 'createTokenHandler',
): OriginPolicy {
  if (allowed === '*' && cors.credentials === true) {
    throw new TokenHandlerError(
      'invalid_options',
      `Invalid ${factory} options: allowedOrigins "*" with ` +
        'cors.credentials true would let any web site mint keys ' +
        "with your visitors' cookies. List the origins that may send credentials (allowedOrigins: [\"https://app.example\"]) " +
        'or drop cors.credentials.',
    );
  }
  let allows: OriginPolicy['allows'];
  if (allowed === '*') allows = () => true;
  else if (typeof allowed === 'function') allows = (origin, request) => allowed(origin, request) === true;
  else if (allowed !== undefined) {
    const set = new Set(allowed.map((o) => normaliseOrigin(o) ?? o));
    allows = (origin) => {
      const normal = normaliseOrigin(origin);
      return normal !== undefined && set.has(normal);
    };
  } else {
    allows = (origin, request) => {
      const originHost = hostOf(origin);
      return originHost !== undefined && requestHost(request, trustForwardedHost) === originHost;
    };
  }
  // An opaque origin is shared by every sandboxed frame and file: page: never allow or echo it.
  const allowsOrigin: OriginPolicy['allows'] = (origin, request) => origin.trim().toLowerCase() !== 'null' && allows(origin, request);
  const allowHeaders = ['content-type', ...(cors.allowHeaders ?? ['authorization']).map((h) => h.toLowerCase())];
  const maxAge = String(cors.maxAgeSeconds ?? 600);
  const responseHeaders = (origin: string | undefined) => {
    const headers = new Headers({ vary: 'Origin' });
    if (origin !== undefined && origin.trim().toLowerCase() !== 'null') {
      headers.set('access-control-allow-origin', origin);
      headers.set('access-control-expose-headers', 'Retry-After');
      if (cors.credentials === true) headers.set('access-control-allow-credentials', 'true');
    }
    return headers;
  };
  const preflightHeaders = (origin: string) => {
    const headers = responseHeaders(origin);
    headers.set('access-control-allow-methods', 'POST, OPTIONS');
    headers.set('access-control-allow-headers', [...new Set(allowHeaders)].join(', '));
    headers.set('access-control-max-age', maxAge);
    return headers;
  };
  return {
    allows: allowsOrigin,
    responseHeaders,
    preflightHeaders,
    check: (request) => {
      const origin = request.headers.get('origin') ?? undefined;
      if (origin === undefined) return new Headers({ vary: 'Origin' });
      if (!allowsOrigin(origin, request)) {
        throw new TokenHandlerError('origin_not_allowed', 'This site may not request voice tokens from this server.');
      }
      return responseHeaders(origin);
    },
    preflight: (request) => {
      const origin = request.headers.get('origin');
      if (request.method !== 'OPTIONS' || origin === null || !request.headers.has('access-control-request-method')) return undefined;
      return new Response(null, { status: 204, headers: preflightHeaders(origin) });
    },
  };
}
