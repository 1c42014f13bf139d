import { describe, expect, it } from 'vitest';
import { resolveClientIp } from './client-ip.js';

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
