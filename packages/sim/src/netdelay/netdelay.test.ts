/**
 * The user-space network delay (benchmarks run on kernels without netem).
 * Only lower bounds on time are asserted: a relay that holds data for the set
 * time can never deliver it earlier, whatever the machine's load.
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DelayQueue } from './delay-queue.js';
import { startTcpDelay, type TcpDelay } from './tcp-delay.js';
import { relayCandidates, withoutCandidates, type UdpRelay } from './udp-relay.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('DelayQueue', () => {
  it('delivers every item in order, none before its time', async () => {
    const got: { n: number; at: number }[] = [];
    const q = new DelayQueue<number>(20, (n) => got.push({ n, at: performance.now() }));
    const sent: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      sent.push(performance.now());
      q.push(i);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 3));
    }
    await new Promise((r) => setTimeout(r, 80));
    expect(got.map((g) => g.n)).toEqual([...Array(50).keys()]);
    for (const g of got) expect(g.at - sent[g.n]!).toBeGreaterThanOrEqual(19.5);
  });

  it('holds an item until notBefore, and later items behind it', async () => {
    const got: number[] = [];
    const q = new DelayQueue<number>(0, (n) => got.push(n));
    q.push(1, performance.now() + 40);
    q.push(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([]);
    await new Promise((r) => setTimeout(r, 40));
    expect(got).toEqual([1, 2]);
  });

  it('drops what is queued on close', async () => {
    const got: number[] = [];
    const q = new DelayQueue<number>(10, (n) => got.push(n));
    q.push(1);
    q.close();
    q.push(2);
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([]);
  });
});

/** An echo server that answers every chunk with the same bytes. */
async function echoServer(): Promise<number> {
  const server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return (server.address() as AddressInfo).port;
}

describe('startTcpDelay', () => {
  it('relays bytes intact and in order, one round trip per exchange, plus the handshake on a new connection', async () => {
    const port = await echoServer();
    const relay: TcpDelay = await startTcpDelay({ target: { host: '127.0.0.1', port }, delayMs: 25 });
    cleanups.push(() => relay.close());
    // Counted from before connect(): under load the relay's accept can run before the client's 'connect' is seen.
    const opened = performance.now();
    const socket = connect(relay.port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    await new Promise((r) => socket.once('connect', r));
    const received: Buffer[] = [];
    let waiter: (() => void) | undefined;
    let want = 0;
    socket.on('data', (b) => {
      received.push(b);
      if (Buffer.concat(received).length >= want) waiter?.();
    });
    const exchange = async (payload: Buffer) => {
      want = Buffer.concat(received).length + payload.length;
      const t0 = performance.now();
      const done = new Promise<void>((r) => (waiter = r));
      socket.write(payload);
      await done;
      return performance.now() - t0;
    };
    // First bytes: handshake (2 × 25) + there (25) + back (25).
    await exchange(Buffer.from('hello'));
    expect(performance.now() - opened).toBeGreaterThanOrEqual(99);
    // Later bytes: one round trip.
    expect(await exchange(Buffer.from('again'))).toBeGreaterThanOrEqual(49);
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i += 1) big[i] = i % 251;
    await exchange(big);
    expect(Buffer.concat(received)).toEqual(Buffer.concat([Buffer.from('helloagain'), big]));
    expect(relay.connections).toBe(1);
  });

  it('dropConnections() ends the open connections and keeps listening', async () => {
    const port = await echoServer();
    const relay = await startTcpDelay({ target: { host: '127.0.0.1', port }, delayMs: 1 });
    cleanups.push(() => relay.close());
    const first = connect(relay.port, '127.0.0.1');
    first.resume();
    await new Promise((r) => first.once('connect', r));
    await new Promise((r) => setTimeout(r, 10));
    const closed = new Promise((r) => first.once('close', r));
    relay.dropConnections();
    await closed;
    const second = connect(relay.port, '127.0.0.1');
    cleanups.push(() => second.destroy());
    const echoed = new Promise<string>((r) => second.once('data', (b) => r(b.toString())));
    second.write('still here');
    expect(await echoed).toBe('still here');
    expect(relay.connections).toBe(2);
  });

  it('passes the end of a stream on, and close() ends every connection', async () => {
    const port = await echoServer();
    const relay = await startTcpDelay({ target: { host: '127.0.0.1', port }, delayMs: 5 });
    const socket = connect(relay.port, '127.0.0.1');
    const closed = new Promise((r) => socket.once('close', r));
    socket.resume();
    await new Promise((r) => socket.once('connect', r));
    await relay.close();
    await relay.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});

const bound = async (): Promise<Socket> => {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  cleanups.push(() => s.close());
  return s;
};
const next = (s: Socket) => new Promise<{ msg: string; port: number; at: number }>((r) => s.once('message', (m, from) => r({ msg: m.toString(), port: from.port, at: performance.now() })));

describe('relayCandidates (per-flow UDP NAT)', () => {
  const answer = (port: number) =>
    ['v=0', `m=audio ${port} UDP/TLS/RTP/SAVPF 111`, 'c=IN IP4 127.0.0.1', `a=candidate:1 1 udp 2122260223 127.0.0.1 ${port} typ host generation 0`, 'a=end-of-candidates', ''].join('\r\n');

  it('points the candidate at the relay, delays both ways, and gives each source its own flow', async () => {
    const sim = await bound();
    const relay: UdpRelay = await relayCandidates(answer(sim.address().port), 20);
    cleanups.push(() => relay.close());
    const port = Number(/ 127\.0\.0\.1 (\d+) typ host/.exec(relay.sdp)![1]);
    expect(port).not.toBe(sim.address().port);
    expect(relay.sdp).toContain(`m=audio ${port} `);

    const a = await bound();
    const b = await bound();
    const t0 = performance.now();
    const atSim = next(sim);
    a.send('from a', port, '127.0.0.1');
    const first = await atSim;
    expect(first.msg).toBe('from a');
    expect(first.at - t0).toBeGreaterThanOrEqual(19.5);
    const atSim2 = next(sim);
    b.send('from b', port, '127.0.0.1');
    const second = await atSim2;
    // The sim sees two peers: one upstream socket per flow.
    expect(second.port).not.toBe(first.port);

    // Replies go back through the front, to the flow's source, after the delay.
    const atA = next(a);
    const t1 = performance.now();
    sim.send('to a', first.port, '127.0.0.1');
    const reply = await atA;
    expect(reply).toMatchObject({ msg: 'to a', port });
    expect(reply.at - t1).toBeGreaterThanOrEqual(19.5);
    const atB = next(b);
    sim.send('to b', second.port, '127.0.0.1');
    expect((await atB).msg).toBe('to b');
    expect(relay.datagrams).toBe(4);
  });

  it('stops relaying once closed', async () => {
    const sim = await bound();
    const relay = await relayCandidates(answer(sim.address().port), 1);
    const port = Number(/ 127\.0\.0\.1 (\d+) typ host/.exec(relay.sdp)![1]);
    relay.close();
    relay.close();
    let got = 0;
    sim.on('message', () => (got += 1));
    const a = await bound();
    a.send('x', port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toBe(0);
  });

  it('strips the candidates of an offer', () => {
    const offer = ['v=0', 'a=candidate:1 1 udp 1 127.0.0.1 5 typ host', 'a=candidate:2 1 tcp 1 127.0.0.1 6 typ host tcptype passive', 'a=mid:0', ''].join('\r\n');
    expect(withoutCandidates(offer)).toBe(['v=0', 'a=mid:0', ''].join('\r\n'));
  });
});
