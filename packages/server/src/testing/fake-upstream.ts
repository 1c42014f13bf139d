/**
 * Test support (not part of the package API): a fake GA Realtime upstream on 127.0.0.1 that
 * records what it receives and answers `POST /v1/realtime/client_secrets` (and Azure's
 * `/openai/v1/realtime/client_secrets`) as scripted.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake upstream received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the fake upstream answers. */
export interface FakeReply {
  status?: number;
  body?: unknown;
  /** Raw text body, sent instead of `body`. */
  text?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** A running fake upstream. */
export interface FakeUpstream {
  /** Base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  /** Every request received so far. */
  requests: RecordedRequest[];
  /** Replace the reply script. */
  reply: (fn: (req: RecordedRequest) => FakeReply) => void;
  /** Stop the server and drop every connection. */
  close: () => Promise<void>;
}

let counter = 0;

/** The default GA-shaped success reply, echoing the requested session. */
export function okReply(req: RecordedRequest): FakeReply {
  const parsed = JSON.parse(req.body || '{}') as { session?: Record<string, unknown>; expires_after?: { seconds?: number } };
  counter += 1;
  const now = Math.floor(Date.now() / 1000);
  return {
    status: 200,
    body: {
      value: `ek_test_${counter}`,
      expires_at: now + (parsed.expires_after?.seconds ?? 600),
      session: { object: 'realtime.session', id: `sess_${counter}`, ...parsed.session },
    },
  };
}

/** Starts a fake upstream on an ephemeral loopback port. */
export async function startFakeUpstream(initial: (req: RecordedRequest) => FakeReply = okReply): Promise<FakeUpstream> {
  let script = initial;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const reply =
        recorded.method === 'POST' && (recorded.url === '/v1/realtime/client_secrets' || recorded.url === '/openai/v1/realtime/client_secrets')
          ? script(recorded)
          : { status: 404, body: { error: { message: 'not found', type: 'invalid_request_error', code: 'not_found', param: null } } };
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.text ?? JSON.stringify(reply.body ?? {}));
      };
      if (reply.delayMs === undefined) send();
      else {
        const t = setTimeout(() => {
          timers.delete(t);
          send();
        }, reply.delayMs);
        timers.add(t);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    reply: (fn) => {
      script = fn;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
