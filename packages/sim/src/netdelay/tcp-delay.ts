import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DelayQueue } from './delay-queue.js';

/** Options of {@link startTcpDelay}. */
export interface TcpDelayOptions {
  /** Where connections are relayed to. */
  target: { host: string; port: number };
  /** One-way delay in ms: every chunk waits this long in each direction. */
  delayMs: number;
  /** Address to bind (default `127.0.0.1`). */
  host?: string;
}

/** A running {@link startTcpDelay} relay. */
export interface TcpDelay {
  /** The relay's port on `host`. */
  readonly port: number;
  /** Connections relayed since start. */
  readonly connections: number;
  /**
   * Ends every relayed connection now (the listener stays): the next request
   * opens a new connection and pays its handshake again, like a new visitor.
   */
  dropConnections(): void;
  /** Closes the listener and every relayed connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * A TCP relay that adds network delay in user space (for kernels without
 * `netem`): every chunk is held `delayMs` on its way in each direction, and a
 * new connection's first bytes wait one extra round trip, as its TCP handshake
 * would (`2 × delayMs`). HTTP, keep-alive and WebSocket traffic all pay it.
 * Loopback only by default; for benchmarks and tests.
 *
 * @example
 * ```ts
 * const front = await startTcpDelay({ target: { host: '127.0.0.1', port: 8080 }, delayMs: 40 });
 * // http://127.0.0.1:${front.port} is the same server, 80 ms of round trip away.
 * ```
 */
export async function startTcpDelay(options: TcpDelayOptions): Promise<TcpDelay> {
  const { target } = options;
  const delayMs = options.delayMs;
  if (!(delayMs >= 0)) throw new RangeError('delayMs must be >= 0.');
  const sockets = new Set<Socket>();
  let connections = 0;

  const server: Server = createServer((client) => {
    connections += 1;
    // The handshake: SYN and SYN-ACK cross the network before the first byte may leave.
    const established = performance.now() + 2 * delayMs;
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const toUpstream = new DelayQueue<Buffer | null>(delayMs, (chunk) => (chunk ? upstream.write(chunk) : upstream.end()));
    const toClient = new DelayQueue<Buffer | null>(delayMs, (chunk) => (chunk ? client.write(chunk) : client.end()));
    client.on('data', (chunk) => toUpstream.push(chunk, established + delayMs));
    client.on('end', () => toUpstream.push(null, established + delayMs));
    upstream.on('data', (chunk) => toClient.push(chunk));
    upstream.on('end', () => toClient.push(null));
    // A reset is not delayed: it ends both sides at once.
    const destroy = () => {
      toUpstream.close();
      toClient.close();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', destroy);
    upstream.on('error', destroy);
    // Once a side is gone, what is still in flight is delivered, then both are ended.
    const drainThenDestroy = () => setTimeout(destroy, 3 * delayMs + 5).unref();
    client.on('close', drainThenDestroy);
    upstream.on('close', drainThenDestroy);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    dropConnections: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
