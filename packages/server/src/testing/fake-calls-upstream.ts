/**
 * Test support (not part of the package API): a fake Realtime provider for server-controlled
 * calls on 127.0.0.1 — `POST {base}/realtime/calls` (multipart), `POST …/calls/{id}/hangup` and
 * the sideband upgrade `GET {base}/realtime?call_id=` — recording what it receives. The base path
 * is `/v1` (OpenAI's shape) or `/openai/v1` (Azure's).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One HTTP request received. */
export interface RecordedCallRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Multipart text fields, for the calls endpoint. */
  fields: Record<string, string>;
}

/** One sideband connection received. */
export interface RecordedSideband {
  url: string;
  headers: IncomingHttpHeaders;
  /** Client events received on it. */
  events: Array<Record<string, any>>;
  socket: WebSocket;
}

/** A scripted answer to `POST …/realtime/calls`. */
export interface FakeCallReply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** A running fake provider. */
export interface FakeCallsUpstream {
  /** The base URL to give as `upstream`, e.g. `http://127.0.0.1:PORT/openai/v1`. */
  url: string;
  requests: RecordedCallRequest[];
  sidebands: RecordedSideband[];
  /** Replaces the answer of the calls endpoint (default: 201, an SDP answer, `Location`). */
  reply(fn: (req: RecordedCallRequest) => FakeCallReply): void;
  /** When set, sideband upgrades are refused with this status and the service's 404 body. */
  sidebandStatus: number | undefined;
  close(): Promise<void>;
}

/** A minimal SDP answer. */
export const FAKE_ANSWER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

/** A syntactically plausible offer, enough for the call endpoint's checks. */
export const FAKE_OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n';

/** Starts the fake on an ephemeral loopback port. */
export async function startFakeCallsUpstream(basePath: '/v1' | '/openai/v1' = '/v1'): Promise<FakeCallsUpstream> {
  const requests: RecordedCallRequest[] = [];
  const sidebands: RecordedSideband[] = [];
  const sessions = new Map<string, Record<string, unknown>>();
  let counter = 0;
  let script = (_req: RecordedCallRequest): FakeCallReply => {
    counter += 1;
    return { status: 201, body: FAKE_ANSWER, headers: { location: `/v1/realtime/calls/rtc_fake_${counter}` } };
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '';
      const recorded: RecordedCallRequest = { method: req.method ?? '', path, headers: req.headers, fields: {} };
      requests.push(recorded);
      if (req.method === 'POST' && path === `${basePath}/realtime/calls`) {
        try {
          const form = await new Response(new Uint8Array(body), { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
          for (const [name, value] of form.entries()) recorded.fields[name] = typeof value === 'string' ? value : await value.text();
        } catch {
          // Not multipart: recorded without fields.
        }
        const reply = script(recorded);
        const id = reply.headers?.location?.split('/').pop();
        if (id !== undefined && recorded.fields.session !== undefined) sessions.set(id, JSON.parse(recorded.fields.session) as Record<string, unknown>);
        res.writeHead(reply.status, { 'content-type': reply.status < 300 ? 'application/sdp' : 'application/json', ...reply.headers });
        res.end(reply.body);
        return;
      }
      const hangup = new RegExp(`^${basePath}/realtime/calls/([^/]+)/hangup$`).exec(path);
      if (req.method === 'POST' && hangup) {
        const id = decodeURIComponent(hangup[1]!);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
        for (const side of sidebands) if (side.url.includes(`call_id=${id}`)) side.socket.close(1000, 'call ended');
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not found","type":"invalid_request_error","code":null,"param":null}}');
    });
  });
  const fake = { sidebandStatus: undefined } as FakeCallsUpstream;
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = req.url ?? '';
    if (!url.startsWith(`${basePath}/realtime?call_id=`)) {
      socket.destroy();
      return;
    }
    if (fake.sidebandStatus !== undefined) {
      const body = '{"error":{"message":"No session found for the provided call_id","type":"invalid_request_error","code":"call_id_not_found","param":""}}';
      socket.end(`HTTP/1.1 ${fake.sidebandStatus} Refused\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = new URL(url, 'http://x').searchParams.get('call_id') ?? '';
      const side: RecordedSideband = { url, headers: req.headers, events: [], socket: ws };
      sidebands.push(side);
      ws.on('message', (data) => {
        const event = JSON.parse(data.toString()) as Record<string, any>;
        side.events.push(event);
        if (event.type === 'session.update') {
          const session = { ...sessions.get(id), ...(event.session as Record<string, unknown>) };
          sessions.set(id, session);
          ws.send(JSON.stringify({ type: 'session.updated', event_id: `event_${side.events.length}`, session }));
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(fake, {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    sidebands,
    reply: (fn: (req: RecordedCallRequest) => FakeCallReply) => {
      script = fn;
    },
    close: async () => {
      for (const side of sidebands) side.socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return fake;
}
