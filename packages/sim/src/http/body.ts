import type { IncomingMessage } from 'node:http';

/** Thrown when a body exceeds the limit (answered with 413). */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Reads a whole request body, up to `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes = 1_000_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new BodyTooLargeError(`Request body larger than ${maxBytes} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The media type of a request, lower-cased, without parameters. */
/**
 * Reads a request body that may be empty (then `{}`) or JSON. Resolves
 * `undefined` when it is not valid JSON.
 */
export async function readOptionalJson(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

/** The bearer token of the Authorization header, if any. */
export function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  return match?.[1];
}

/**
 * Parses a `multipart/form-data` body with the platform's `Response`
 * (undici), returning its text fields.
 */
export async function parseMultipart(body: Buffer, contentType: string): Promise<Map<string, string>> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const fields = new Map<string, string>();
  for (const [name, value] of form.entries()) {
    fields.set(name, typeof value === 'string' ? value : await value.text());
  }
  return fields;
}
