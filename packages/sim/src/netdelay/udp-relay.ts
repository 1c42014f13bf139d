import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { DelayQueue } from './delay-queue.js';

/** A datagram and where it goes. */
interface Datagram {
  msg: Buffer;
  port: number;
  address: string;
}

/** A relay of one call's media: see {@link relayCandidates}. */
export interface UdpRelay {
  /** The SDP with every candidate pointing at the relay. */
  readonly sdp: string;
  /** Datagrams relayed, both ways. */
  readonly datagrams: number;
  /** Drops every datagram from now on, both ways, in flight ones included (a network gone dead). */
  cut(): void;
  /** Closes every socket and drops what is in flight. Idempotent. */
  close(): void;
}

/** `a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ …` */
const CANDIDATE = /^(a=candidate:\S+ \d+ udp \d+ )(\S+) (\d+)/gim;

const bound = (socket: Socket): Promise<number> =>
  new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket.address().port);
    });
  });

/**
 * Network delay for a call's media, in user space (for kernels without
 * `netem`): every UDP candidate of the sim's SDP answer is replaced by a
 * relay socket on loopback. The relay is a per-flow NAT: each source talking
 * to it (the browser's ICE candidate) gets its own upstream socket towards
 * the sim's real candidate, so the sim sees one peer per flow and its replies
 * go back the same way. Every datagram is held `delayMs`, in order, in each
 * direction, so ICE checks, DTLS, SCTP and RTP all pay the round trip.
 * `cut()` turns it into a dead network. Loopback only.
 */
export async function relayCandidates(sdp: string, delayMs: number): Promise<UdpRelay> {
  const sockets: Socket[] = [];
  const queues: DelayQueue<Datagram>[] = [];
  let datagrams = 0;
  let closed = false;
  let cut = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const q of queues) q.close();
    for (const s of sockets) {
      try {
        s.close();
      } catch {
        // Already closed.
      }
    }
  };
  const open = async (): Promise<Socket> => {
    const socket = createSocket('udp4');
    socket.on('error', () => undefined);
    sockets.push(socket);
    await bound(socket);
    return socket;
  };
  const queue = (socket: Socket): DelayQueue<Datagram> => {
    const q = new DelayQueue<Datagram>(delayMs, (d) => {
      if (closed || cut) return;
      datagrams += 1;
      socket.send(d.msg, d.port, d.address);
    });
    queues.push(q);
    return q;
  };

  try {
    const targets = [...sdp.matchAll(CANDIDATE)].map((m) => ({ address: m[2]!, port: Number(m[3]) }));
    const fronts = new Map<string, number>();
    for (const target of targets) {
      const key = `${target.address}:${target.port}`;
      if (fronts.has(key)) continue;
      const front = await open();
      const toBrowser = queue(front);
      const flows = new Map<string, DelayQueue<Datagram>>();
      front.on('message', (msg: Buffer, from: RemoteInfo) => {
        const id = `${from.address}:${from.port}`;
        let toSim = flows.get(id);
        if (!toSim) {
          // A new flow: its own upstream socket, whose answers go back to this source through the front.
          const upstream = createSocket('udp4');
          upstream.on('error', () => undefined);
          sockets.push(upstream);
          upstream.bind(0, '127.0.0.1');
          upstream.on('message', (reply: Buffer) => toBrowser.push({ msg: reply, port: from.port, address: from.address }));
          toSim = queue(upstream);
          flows.set(id, toSim);
        }
        toSim.push({ msg, port: target.port, address: target.address });
      });
      fronts.set(key, front.address().port);
    }
    const rewritten = sdp.replace(CANDIDATE, (_m, head: string, address: string, port: string) => `${head}127.0.0.1 ${fronts.get(`${address}:${port}`)}`);
    return {
      sdp: rewritten.replace(/^c=IN IP4 \S+/gm, 'c=IN IP4 127.0.0.1').replace(/^(m=\S+ )(\d+)/gm, (m, head: string, port: string) => {
        const relayed = [...fronts.entries()].find(([k]) => k.endsWith(`:${port}`));
        return relayed ? `${head}${relayed[1]}` : m;
      }),
      get datagrams() {
        return datagrams;
      },
      cut: () => {
        cut = true;
      },
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** The offer without its ICE candidates: the sim then learns the browser's address from the relayed checks only. */
export function withoutCandidates(sdp: string): string {
  return sdp.replace(/^a=candidate:.*(\r?\n|$)/gm, '');
}
