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

/** Default IPv6 prefix length that shares one rate-limit bucket: a /64 is one subscriber's LAN. */
export const DEFAULT_IPV6_PREFIX = 64;

/**
 * Parses an IPv6 address (any `::` form, an embedded IPv4 tail, a `%zone`) into its eight
 * 16-bit groups, or undefined.
 */
export function parseIpv6(text: string): number[] | undefined {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  const tail: number[] = [];
  const v4 = /(?:^|:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4 !== null) {
    const octets = v4.slice(1, 5).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    tail.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
    s = s.slice(0, s.length - v4[0].length + (v4[0].startsWith(':') ? 1 : 0));
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const zeros = new Array<number>(8 - explicit).fill(0);
  return [...head.map((g) => parseInt(g, 16)), ...zeros, ...rest.map((g) => parseInt(g, 16)), ...tail];
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d` in any spelling), else undefined. */
function mappedIpv4(groups: number[]): string | undefined {
  if (groups.slice(0, 5).some((g) => g !== 0) || groups[5] !== 0xffff) return undefined;
  return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
}

function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let ip = value.trim().toLowerCase();
  if (ip.startsWith('[') && ip.includes(']')) ip = ip.slice(1, ip.indexOf(']'));
  if (ip.includes(':')) ip = ip.replace(/%[0-9a-z_.-]*$/, '');
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  if (!IP_CHARS.test(ip)) return undefined;
  if (ip.includes(':')) {
    const groups = parseIpv6(ip);
    const v4 = groups === undefined ? undefined : mappedIpv4(groups);
    if (v4 !== undefined) return v4;
  }
  return ip;
}

/**
 * The rate-limit subject for a client IP: an IPv4 address as is; an IPv6 address by its
 * `prefix`-bit network (default /64, because one subscriber usually gets a whole /64 and can
 * pick any address in it), written `2001:db8:1:2:0:0:0:0/64`; IPv4-mapped IPv6 as its IPv4
 * address; anything else (`"unknown"`) unchanged.
 *
 * @param prefix - IPv6 prefix length, 48–128.
 */
export function ipRateLimitKey(ip: string, prefix: number = DEFAULT_IPV6_PREFIX): string {
  if (!ip.includes(':')) return ip;
  const groups = parseIpv6(ip.replace(/^\[|\]$/g, ''));
  if (groups === undefined) return ip;
  const v4 = mappedIpv4(groups);
  if (v4 !== undefined) return v4;
  const bits = Math.min(128, Math.max(0, Math.trunc(prefix)));
  const masked = groups.map((group, index) => {
    const keep = Math.min(16, Math.max(0, bits - index * 16));
    return keep === 0 ? 0 : group & ((0xffff << (16 - keep)) & 0xffff);
  });
  return `${masked.map((g) => g.toString(16)).join(':')}/${bits}`;
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
