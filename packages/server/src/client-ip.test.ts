import { describe, expect, it } from 'vitest';
import { ipRateLimitKey, parseIpv6, resolveClientIp } from './client-ip.js';

const req = (headers: Record<string, string> = {}) => new Request('http://app.test/', { headers });

describe('resolveClientIp', () => {
  it('ignores X-Forwarded-For by default and uses the socket address', () => {
    expect(resolveClientIp(req({ 'x-forwarded-for': '6.6.6.6' }), '10.0.0.9', {})).toBe('10.0.0.9');
    expect(resolveClientIp(req({ 'x-forwarded-for': '6.6.6.6' }), undefined, {})).toBe('unknown');
    expect(resolveClientIp(req(), '::ffff:127.0.0.1', {})).toBe('127.0.0.1');
  });

  it('with trustProxy, takes the address the trusted proxy appended, not a spoofed one', () => {
    const spoofed = req({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' });
    expect(resolveClientIp(spoofed, '10.0.0.1', { trustProxy: true })).toBe('203.0.113.7');
    expect(resolveClientIp(spoofed, '10.0.0.1', { trustProxy: 1 })).toBe('203.0.113.7');
    expect(resolveClientIp(req({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.2' }), '10.0.0.1', { trustProxy: 2 })).toBe('203.0.113.7');
    expect(resolveClientIp(req(), '10.0.0.1', { trustProxy: true })).toBe('10.0.0.1');
    // Edge platforms (no socket address): the platform's own entry is the rightmost.
    expect(resolveClientIp(spoofed, undefined, { trustProxy: true })).toBe('203.0.113.7');
    expect(resolveClientIp(req({ 'x-forwarded-for': 'junk<script>' }), '10.0.0.1', { trustProxy: true })).toBe('unknown');
  });

  it('with clientIpHeader, trusts exactly that header', () => {
    const r = req({ 'cf-connecting-ip': '2001:db8::1', 'x-forwarded-for': '6.6.6.6' });
    expect(resolveClientIp(r, '10.0.0.1', { clientIpHeader: 'cf-connecting-ip' })).toBe('2001:db8::1');
    expect(resolveClientIp(req(), '10.0.0.1', { clientIpHeader: 'cf-connecting-ip' })).toBe('unknown');
  });
});

describe('IPv6 keying for rate limits', () => {
  it('keys IPv6 by its /64 (or the given prefix) and IPv4-mapped IPv6 as IPv4', () => {
    expect(ipRateLimitKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(ipRateLimitKey('2001:DB8:1:2::1')).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(ipRateLimitKey('2001:0db8:0001:0002::ffff')).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(ipRateLimitKey('2001:db8:1:3::1')).toBe('2001:db8:1:3:0:0:0:0/64');
    expect(ipRateLimitKey('2001:db8:1:2ff::1', 56)).toBe('2001:db8:1:200:0:0:0:0/56');
    expect(ipRateLimitKey('2001:db8:1:2::1', 48)).toBe('2001:db8:1:0:0:0:0:0/48');
    expect(ipRateLimitKey('2001:db8::1', 128)).toBe('2001:db8:0:0:0:0:0:1/128');
    expect(ipRateLimitKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(ipRateLimitKey('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(ipRateLimitKey('203.0.113.7')).toBe('203.0.113.7');
    expect(ipRateLimitKey('unknown')).toBe('unknown');
    expect(ipRateLimitKey('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:0/64');
  });

  it('parses every IPv6 spelling and rejects malformed ones', () => {
    expect(parseIpv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('64:ff9b::192.0.2.33')).toEqual([0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '::ffff:300.1.1.1', 'g::1', '12345::1', '1.2.3.4']) {
      expect(parseIpv6(bad), bad).toBeUndefined();
    }
  });

  it('normalises IPv4-mapped peers in any spelling to IPv4', () => {
    expect(resolveClientIp(req(), '::FFFF:10.0.0.9', {})).toBe('10.0.0.9');
    expect(resolveClientIp(req(), '::ffff:a00:9', {})).toBe('10.0.0.9');
    expect(resolveClientIp(req({ 'cf-connecting-ip': '[::ffff:198.51.100.4]' }), undefined, { clientIpHeader: 'cf-connecting-ip' })).toBe('198.51.100.4');
  });
});
