import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { parseFaults } from '../faults/fault-spec.js';
import { blackholeCandidates } from './blackhole.js';

const ANSWER = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=candidate:1 1 udp 2122260223 127.0.0.1 50123 typ host generation 0', 'a=candidate:2 1 udp 2122194687 127.0.0.1 50124 typ host', 'a=end-of-candidates', ''].join('\r\n');

describe('ice=blackhole', () => {
  it('parses', () => {
    expect(parseFaults('ice=blackhole')).toEqual({ ice: 'blackhole' });
    expect(() => parseFaults('ice=drop')).toThrow(/Invalid fault/);
  });

  it('points every candidate at a socket that swallows datagrams and never answers', async () => {
    const hole = await blackholeCandidates(ANSWER);
    const ports = [...hole.sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ 127\.0\.0\.1 (\d+) typ host/gm)].map((m) => Number(m[1]));
    expect(ports).toHaveLength(2);
    expect(new Set(ports).size).toBe(1);
    expect(ports[0]).not.toBe(50123);
    expect(hole.sdp).toContain('a=end-of-candidates');
    // A datagram sent there gets no reply.
    const probe = createSocket('udp4');
    let replies = 0;
    probe.on('message', () => (replies += 1));
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    probe.send(Buffer.from('stun?'), ports[0]!, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 100));
    expect(replies).toBe(0);
    probe.close();
    hole.close();
    hole.close();
  });
});
