/**
 * Who may mint from a browser: the origin allowlist, CORS preflight and CORS response headers.
 *
 * The `Origin` check stops *other web sites* from minting keys through their visitors'
 * browsers. It is not authentication: a non-browser client can send any `Origin` (or none),
 * which is what `authorize` and the rate limits are for.
 */

/**
 * Which browser origins may mint:
 * - unset (default): **same origin only**: the `Origin` header's host must equal the request's
 *   host (`Host`, or `X-Forwarded-Host` when `trustProxy` is set). The scheme is not compared,
 *   because TLS is usually terminated in front of the handler;
 * - an array of exact origins, e.g. `["https://example.com", "https://www.example.com"]`;
 * - a function deciding per origin;
 * - `"*"`: any origin (only for endpoints protected by `authorize`, or for local development).
 *
 * Requests without an `Origin` header (curl, server-to-server) are not browser requests and
 * pass this check; protect them with `authorize` and the rate limits.
 */
export type AllowedOrigins = '*' | readonly string[] | ((origin: string, request: Request) => boolean);

/** CORS details for cross-origin deployments. */
export interface CorsOptions {
  /** Extra request headers the browser may send (always allowed: `content-type`). Default `["authorization"]`. */
  allowHeaders?: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true` so cross-origin cookies reach `authorize`. Default false. */
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
 */
export function createOriginPolicy(allowed: AllowedOrigins | undefined, cors: CorsOptions = {}, trustForwardedHost = false): OriginPolicy {
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
      if (originHost === undefined) return false;
      const forwarded = trustForwardedHost ? request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
      const requestHost = forwarded ? forwarded.toLowerCase() : hostOf(request.url);
      return requestHost === originHost;
    };
  }
  const allowHeaders = ['content-type', ...(cors.allowHeaders ?? ['authorization']).map((h) => h.toLowerCase())];
  const maxAge = String(cors.maxAgeSeconds ?? 600);
  const responseHeaders = (origin: string | undefined) => {
    const headers = new Headers({ vary: 'Origin' });
    if (origin !== undefined) {
      headers.set('access-control-allow-origin', origin);
      headers.set('access-control-expose-headers', 'Retry-After');
      if (cors.credentials === true) headers.set('access-control-allow-credentials', 'true');
    }
    return headers;
  };
  return {
    allows,
    responseHeaders,
    preflightHeaders: (origin) => {
      const headers = responseHeaders(origin);
      headers.set('access-control-allow-methods', 'POST, OPTIONS');
      headers.set('access-control-allow-headers', [...new Set(allowHeaders)].join(', '));
      headers.set('access-control-max-age', maxAge);
      return headers;
    },
  };
}
