/**
 * Reading the browser's request body: bounded in size, JSON only.
 */
import { TokenHandlerError } from './errors.js';

function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const type = value.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Reads the whole request body, at most `maxBytes` (413 `body_too_large` beyond, declared or
 * streamed; 400 `invalid_body` when it cannot be read). Also used by the call handler for SDP.
 */
export async function readBounded(request: Request, maxBytes: number): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readCapped(request, maxBytes);
  } catch (error) {
    throw new TokenHandlerError('invalid_body', 'The request body could not be read.', { cause: error });
  }
  if (bytes === undefined) throw new TokenHandlerError('body_too_large', `The request body is larger than ${maxBytes} bytes.`);
  return bytes;
}

/**
 * Reads a whole request or response body, at most `maxBytes` (declared by `Content-Length` or
 * streamed). Resolves with `undefined`, the body cancelled, when it is longer; rejects when the
 * stream fails. The one bounded reader of the package: the browser's request and the provider's
 * answer both go through it.
 */
export async function readCapped(message: Request | Response, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = message.headers.get('content-length')?.trim();
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    // A provider's answer is dropped; a request body is left alone (the server answers and closes the
    // connection: cancelling Node's Readable.toWeb stream while data still arrives throws inside Node).
    if (message instanceof Response) await message.body?.cancel().catch(() => {});
    return undefined;
  }
  if (message.body === null) return new Uint8Array(0);
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Reads the request body as a JSON object. An empty body (or `null`) means `{}`. A non-empty
 * body must be sent as `application/json` (415 otherwise), be at most `maxBytes` long (413) and
 * parse to a JSON object (400 `invalid_json` / `invalid_body`).
 */
export async function readJsonObject(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const bytes = await readBounded(request, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).trim();
  } catch {
    throw new TokenHandlerError('invalid_json', 'The request body is not valid UTF-8 JSON.');
  }
  if (text.length === 0) return {};
  if (!isJsonContentType(request.headers.get('content-type'))) {
    throw new TokenHandlerError('unsupported_media_type', 'Send the request body as application/json.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TokenHandlerError('invalid_json', 'The request body is not valid JSON.');
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TokenHandlerError('invalid_body', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
