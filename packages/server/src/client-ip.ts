/**
 * Which IP a request comes from, for per-IP rate limits and logs. Forwarded headers are
 * ignored unless the operator says a proxy sets them, because any client can send them.
 */

/** How to find the client IP. */
export interface ClientIpOptions {
  /**
   * How many reverse proxies in front of the handler append to `X-Forwarded-For`.
   * `false`/`0` (default): ignore `X-Forwarded-For` and `X-Forwarded-Host` entirely.
   * `true`/`1`: one proxy (nginx, a load balancer): the client is the last address it appended.
   * `n`: the n-th address from the right. Set it only if every such hop really is yours.
   */
  trustProxy?: boolean | number;
  /**
   * A header your platform sets to the client address and clients cannot forge, e.g.
   * `"cf-connecting-ip"` (Cloudflare), `"fly-client-ip"` (Fly.io), `"x-real-ip"` (an nginx you
   * configured). When set, it wins over everything else.
   */
  clientIpHeader?: string;
}

const IP_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;

function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let ip = value.trim();
  if (ip.startsWith('[') && ip.includes(']')) ip = ip.slice(1, ip.indexOf(']'));
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  return IP_CHARS.test(ip) ? ip.toLowerCase() : undefined;
}

/** Number of trusted proxy hops for a `trustProxy` value. */
export function trustedHops(trustProxy: boolean | number | undefined): number {
  if (trustProxy === true) return 1;
  if (typeof trustProxy === 'number' && Number.isInteger(trustProxy) && trustProxy > 0) return trustProxy;
  return 0;
}

/**
 * The client IP of `request`, or `"unknown"`.
 *
 * @param peerIp - the TCP peer address from the platform adapter, if any.
 */
export function resolveClientIp(request: Request, peerIp: string | undefined, options: ClientIpOptions): string {
  if (options.clientIpHeader !== undefined) {
    return clean(request.headers.get(options.clientIpHeader)?.split(',')[0]) ?? 'unknown';
  }
  const hops = trustedHops(options.trustProxy);
  const peer = clean(peerIp);
  if (hops === 0) return peer ?? 'unknown';
  const forwarded = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  // Right to left: the peer (the nearest proxy), then each address the proxies appended.
  const chain = [peerIp === undefined ? undefined : peer, ...forwarded.reverse().map(clean)];
  if (peerIp === undefined) chain.shift();
  const index = peerIp === undefined ? hops - 1 : hops;
  const picked = chain[Math.min(index, chain.length - 1)];
  return picked ?? 'unknown';
}
