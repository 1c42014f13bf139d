/**
 * Starts the connection to `url`'s origin ahead (DNS, TCP and TLS) with a
 * `<link rel="preconnect">`, so that the SDP offer, sent once the token and
 * the offer are ready, finds it open: on a real network that is one to three
 * round trips less between the click and the first audio. Same-origin URLs
 * (already connected) and non-browser environments are skipped. Returns the
 * function that removes the hint (the connection stays in the browser's pool).
 */
export function preconnect(url: string, credentials?: RequestCredentials): () => void {
  try {
    const origin = new URL(url, location.href).origin;
    if (origin === location.origin) throw 0;
    const link = document.createElement('link');
    link.rel = 'preconnect';
    link.href = origin;
    // The socket pool is per credentials mode: anonymous like the SDP POST, unless the page sends its cookies.
    link.crossOrigin = credentials === 'include' ? 'use-credentials' : 'anonymous';
    document.head.append(link);
    return () => link.remove();
  } catch {
    return () => undefined;
  }
}
