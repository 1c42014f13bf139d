import type { ResolvedOptions } from '../options.js';
import { fetchToken, resolveProvidedToken, type EphemeralToken } from '../token/token-source.js';
import { preconnect } from '../transport/preconnect.js';

/**
 * Gets the key for each connection the way the options say (the token
 * endpoint, `getToken`, or none for a call endpoint) and, while it is on its
 * way, opens the network connection to the Realtime endpoint: the one the
 * last token named, else the configured one.
 */
export class TokenFlow {
  readonly #o: ResolvedOptions;
  /** The last token's calls URL: where the next connection will go. */
  #callsUrl: string | undefined;

  constructor(options: ResolvedOptions) {
    this.#o = options;
  }

  /** A token for one connection; rejects with an `RtvoiceError` (`token_fetch_failed`, `aborted`). */
  get(signal: AbortSignal): Promise<EphemeralToken> {
    const o = this.#o;
    const unhint = preconnect(this.#callsUrl ?? o.callUrl ?? o.callsUrl, o.tokenRequest.credentials);
    // A call endpoint takes the offer itself: no key, the page's own credentials.
    const token = o.callUrl
      ? Promise.resolve({ value: '', callsUrl: o.callUrl })
      : o.getToken
        ? resolveProvidedToken(o.getToken, o.callsUrl, signal)
        : fetchToken(o.tokenUrl!, o.tokenRequest, o.callsUrl, signal, o.fetch ?? globalThis.fetch.bind(globalThis));
    return token.then((t) => ((this.#callsUrl = t.callsUrl), t)).finally(unhint);
  }
}
