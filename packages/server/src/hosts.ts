/**
 * Host names the endpoint trusts: loopback detection, the https-only rule for URLs that carry a
 * key, and the `allowedHosts` check against DNS rebinding.
 */
import { TokenHandlerError } from './errors.js';

/**
 * Which `Host` names may reach the endpoint (against DNS rebinding: a page on `evil.example`
 * whose name is re-pointed at `127.0.0.1` must not mint from a server on the developer's
 * machine):
 * - unset (default): with the default same-origin `allowedOrigins`, a request from a loopback
 *   peer (the browser runs on the server's machine) with no proxy configured must use a
 *   loopback name or an IP address (`localhost`, `127.0.0.1`, `[::1]`, any port); anything else
 *   is not checked (an explicit origin list already refuses the rebinding page's `Origin`);
 * - an array of host names (no scheme, no port), checked for every request; `.example.com`
 *   also allows every subdomain. `localhost` and IP addresses are always allowed, because a
 *   page cannot rebind them;
 * - `"*"`: no check.
 */
export type AllowedHosts = '*' | readonly string[];

/** What the host check needs from the handler's options. */
export interface HostCheckOptions {
  /** The `allowedHosts` option. */
  allowedHosts: AllowedHosts | undefined;
  /** True when `allowedOrigins` is unset (same origin only): the default rule applies. */
  sameOrigin: boolean;
  /** True when `trustProxy` or `clientIpHeader` is set: requests arrive through a proxy or platform. */
  behindProxy: boolean;
  /** True when `trustProxy` is set: `X-Forwarded-Host` names the public host. */
  trustForwardedHost: boolean;
  /** The factory named in configuration errors. Default `"createTokenHandler"`. */
  factory?: string;
}

/** Checks one request's host; throws `host_not_allowed` (403). `peerIp` is the TCP peer, if known. */
export type HostCheck = (request: Request, peerIp: string | undefined) => void;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const HOST_ENTRY = /^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

/**
 * True for a loopback host name as a URL spells it: `localhost`, `127.x.x.x` or `[::1]`
 * (the same rule as `@rtvoice/client`'s calls-URL check).
 */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || (IPV4.test(host) && host.startsWith('127.'));
}

/** True for a loopback peer address: `127.x.x.x`, `::1` or `::ffff:127.x.x.x`. */
export function isLoopbackIp(ip: string | undefined): boolean {
  if (ip === undefined) return false;
  const bare = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  return bare === '::1' || (IPV4.test(v4) && v4.startsWith('127.'));
}

/** True for an IP literal host (`203.0.113.7`, `[2001:db8::1]`): DNS rebinding needs a name. */
function isIpLiteral(hostname: string): boolean {
  return IPV4.test(hostname) || (hostname.startsWith('[') && hostname.endsWith(']'));
}

/**
 * Parses `value` as an absolute URL that may carry a key: `https:`, or `http:` on a loopback
 * host only (a local simulator). Throws `invalid_options` naming `option` (and `factory`, the
 * function whose options these are) otherwise.
 */
export function requireSecureUrl(value: string, option: string, factory = 'createTokenHandler'): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TokenHandlerError('invalid_options', `Invalid ${factory} option "${option}": must be an absolute https URL.`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostname(url.hostname))) return url;
  throw new TokenHandlerError(
    'invalid_options',
    `Invalid ${factory} option "${option}": keys are only sent over TLS, so it must be an https: URL ` +
      '(http: is accepted on a loopback host only: localhost, 127.0.0.1, [::1]).',
  );
}

/**
 * Validates `allowedHosts` entries. Throws `invalid_options` for an entry with a scheme, a port
 * or a path.
 */
export function validateAllowedHosts(allowed: AllowedHosts | undefined, factory = 'createTokenHandler'): void {
  if (allowed === undefined || allowed === '*') return;
  for (const entry of allowed) {
    if (!HOST_ENTRY.test(entry)) {
      throw new TokenHandlerError(
        'invalid_options',
        `Invalid ${factory} option "allowedHosts": "${entry.slice(0, 80)}" is not a host name; ` +
          'list names like "voice.example.com" (no scheme, no port; ".example.com" allows subdomains).',
      );
    }
  }
}

/** The host a request was addressed to: `X-Forwarded-Host` when a proxy is trusted, else the URL's (`Host`). */
export function requestHost(request: Request, trustForwardedHost: boolean): string | undefined {
  const forwarded = trustForwardedHost ? request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  if (forwarded) return forwarded.toLowerCase();
  try {
    return new URL(request.url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function matches(hostname: string, entries: readonly string[]): boolean {
  return entries.some((entry) => {
    const name = entry.toLowerCase();
    return name.startsWith('.') ? hostname === name.slice(1) || hostname.endsWith(name) : hostname === name;
  });
}

/**
 * Builds the `allowedHosts` check (see {@link AllowedHosts} for the default).
 *
 * @param options - the option, the origin mode and whether a proxy is configured.
 */
export function createHostCheck(options: HostCheckOptions): HostCheck {
  validateAllowedHosts(options.allowedHosts, options.factory);
  const { allowedHosts } = options;
  if (allowedHosts === '*') return () => {};
  const refuse = () => {
    throw new TokenHandlerError('host_not_allowed', 'This server does not answer for this host name.');
  };
  return (request, peerIp) => {
    if (allowedHosts === undefined && !(options.sameOrigin && !options.behindProxy && isLoopbackIp(peerIp))) return;
    const host = requestHost(request, options.trustForwardedHost);
    const hostname = host === undefined ? undefined : hostnameOf(host);
    if (hostname === undefined) return refuse();
    if (isLoopbackHostname(hostname) || hostname.endsWith('.localhost') || isIpLiteral(hostname)) return;
    if (allowedHosts !== undefined && matches(hostname, allowedHosts)) return;
    refuse();
  };
}
