import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript example, no type declarations.
import { badRequest, parseTarget, serveStatic } from './static.mjs';

type Listener = (req: unknown, res: { writeHead(status: number): { end(): void } }) => void;

let root: string;
let server: Server;
let port: number;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rtvoice-static-'));
  mkdirSync(join(root, 'site'));
  writeFileSync(join(root, 'site', 'index.html'), '<h1>ok</h1>');
  writeFileSync(join(root, 'secret.txt'), 'outside the served folder');
  const page = (serveStatic as (root: string) => Listener)(join(root, 'site'));
  // Routed like server.mjs: the target is parsed once, a malformed one is a 400.
  server = createServer((req, res) => {
    if ((parseTarget as (t?: string) => unknown)(req.url) === undefined) return void (badRequest as (r: unknown) => void)(res);
    page(req, res as never);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

/** A raw GET with the target exactly as written (fetch would normalise it). */
function get(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('examples/demo static server', () => {
  it('answers malformed targets with 400 and keeps serving', async () => {
    for (const target of ['/%E0', '/%', '/a%ZZ', '//', '///x', '/%E0%A4']) {
      expect(await get(target), target).toBe(400);
    }
    expect(await get('/')).toBe(200);
  });

  it('serveStatic alone answers 400 to an undecodable path instead of rejecting', async () => {
    const page = (serveStatic as (root: string) => Listener)(join(root, 'site'));
    const solo = createServer((req, res) => page(req, res as never));
    await new Promise<void>((resolve) => solo.listen(0, '127.0.0.1', resolve));
    const soloPort = (solo.address() as AddressInfo).port;
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: soloPort, path: '/%E0', method: 'GET' }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(400);
    } finally {
      solo.closeAllConnections();
      await new Promise<void>((resolve) => solo.close(() => resolve()));
    }
  });

  it('never serves a file outside its folder, and serves index.html', async () => {
    expect(await get('/..%2fsecret.txt')).toBe(404);
    expect(await get('/%2e%2e/secret.txt')).toBe(404);
    expect(await get('/missing.js')).toBe(404);
    expect(await get('/index.html')).toBe(200);
  });
});
