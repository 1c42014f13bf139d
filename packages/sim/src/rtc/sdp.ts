/**
 * SDP helpers: offer validation (what the sim rejects as `invalid_offer`)
 * and candidate filtering of the answer.
 */

/** Why an offer is rejected, or null when it looks like a WebRTC offer. */
export function offerProblem(sdp: string): string | null {
  const text = sdp.replace(/\r\n/g, '\n');
  if (!text.startsWith('v=0')) return 'missing v=0';
  if (!/^m=(audio|application) /m.test(text)) return 'no audio or data-channel section';
  if (!/^a=ice-ufrag:/m.test(text)) return 'missing ice-ufrag';
  if (!/^a=fingerprint:/m.test(text)) return 'missing DTLS fingerprint';
  return null;
}

/** True when the SDP has a `m=application … webrtc-datachannel` section. */
export function hasDataChannel(sdp: string): boolean {
  return /^m=application \d+ [A-Z/]*SCTP/m.test(sdp);
}

interface Candidate {
  address: string;
  port: string;
  udp: boolean;
}

function parseCandidate(line: string): Candidate | null {
  // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
  const parts = line.replace(/^a=candidate:/, '').split(' ');
  if (parts.length < 8) return null;
  return { address: parts[4] ?? '', port: parts[5] ?? '', udp: (parts[2] ?? '').toLowerCase() === 'udp' };
}

/**
 * Keeps only the UDP host candidates on `address` (e.g. `127.0.0.1`) and
 * points each media section's `m=` port and `c=` line at the kept candidate,
 * so a browser on the same machine connects over loopback only. With
 * `address` `"*"` every IPv4 UDP candidate is kept.
 */
export function filterCandidates(sdp: string, address: string): { sdp: string; kept: number } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  let kept = 0;
  let section: string[] = [];
  const flush = (): void => {
    const chosen = section.map((l) => (l.startsWith('a=candidate:') ? parseCandidate(l) : null)).find(
      (c): c is Candidate => c !== null && keep(c, address),
    );
    for (const line of section) {
      if (line.startsWith('a=candidate:')) {
        const c = parseCandidate(line);
        if (c && keep(c, address)) {
          out.push(line);
          kept += 1;
        }
      } else if (chosen && line.startsWith('m=')) {
        const f = line.split(' ');
        f[1] = chosen.port;
        out.push(f.join(' '));
      } else if (chosen && line.startsWith('c=IN IP4 ')) {
        out.push(`c=IN IP4 ${chosen.address}`);
      } else {
        out.push(line);
      }
    }
    section = [];
  };
  for (const line of lines) {
    if (line.startsWith('m=')) flush();
    section.push(line);
  }
  flush();
  return { sdp: out.join(eol), kept };
}

function keep(c: Candidate, address: string): boolean {
  if (!c.udp) return false;
  if (address === '*') return /^\d+\.\d+\.\d+\.\d+$/.test(c.address);
  return c.address === address;
}

/** The `a=msid:<stream> <track>` of the first audio section, if any. */
export function audioMsid(sdp: string): { stream: string; track: string } | null {
  const audio = sdp.split(/\r?\nm=/).find((s) => s.startsWith('audio ') || s.startsWith('m=audio '));
  const match = audio?.match(/^a=msid:(\S+) (\S+)/m);
  return match ? { stream: match[1] ?? '', track: match[2] ?? '' } : null;
}
