/**
 * Test support (not part of the package API): request builders for handler tests.
 */

/** A browser-like token request: POST, JSON, optional body and headers. */
export function tokenRequest(body?: unknown, headers: Record<string, string> = {}, url = 'http://app.test/api/token'): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** Status and error code of a response (code is undefined on success). */
export async function outcome(res: Response): Promise<[number, string | undefined]> {
  const body = (await res.json()) as { error?: { code?: string } };
  return [res.status, body.error?.code];
}
