/** How long the local loopback may take to connect before playback goes direct. */
const CONNECT_TIMEOUT_MS = 2000;

/**
 * Passes `track` through a pair of `RTCPeerConnection`s inside the page and
 * returns the received track. Chromium's echo canceller only subtracts audio
 * that WebRTC plays out (crbug.com/687574): Web Audio output played directly
 * would reach the microphone and the model would hear itself. Over a WebRTC
 * transport the model's audio is a remote track already; the WebSocket
 * transport makes its playback one this way. Rejects when the loopback does
 * not connect (WebRTC disabled by policy), after closing both ends.
 */
export async function echoCancellableTrack(track: MediaStreamTrack, signal: AbortSignal): Promise<{ track: MediaStreamTrack; close: () => void }> {
  if (typeof RTCPeerConnection === 'undefined') throw new Error('no RTCPeerConnection');
  if (signal.aborted) throw signal.reason;
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const close = (): void => {
    clearTimeout(timer);
    // Closed peer connections may outlive this for a while (Chromium collects them late): drop their handlers now.
    a.onicecandidate = b.onicecandidate = b.ontrack = b.onconnectionstatechange = null;
    a.close();
    b.close();
  };
  try {
    a.onicecandidate = (e) => e.candidate && void b.addIceCandidate(e.candidate).catch(() => undefined);
    b.onicecandidate = (e) => e.candidate && void a.addIceCandidate(e.candidate).catch(() => undefined);
    const received = new Promise<MediaStreamTrack>((resolve) => (b.ontrack = (e) => resolve(e.track)));
    const connected = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('loopback timeout')), CONNECT_TIMEOUT_MS);
      b.onconnectionstatechange = () => {
        if (b.connectionState === 'connected') {
          clearTimeout(timer);
          resolve();
        } else if (b.connectionState === 'failed' || b.connectionState === 'closed') {
          clearTimeout(timer);
          reject(new Error(b.connectionState));
        }
      };
    });
    connected.catch(() => undefined); // awaited below; a failure before then must not go unhandled
    a.addTrack(track);
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    // Aborting closes both ends, which settles nothing by itself: race the waits.
    signal.addEventListener('abort', close, { once: true });
    const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    aborted.catch(() => undefined);
    const remote = await Promise.race([received, aborted]);
    await Promise.race([connected, aborted]);
    signal.removeEventListener('abort', close);
    return { track: remote, close };
  } catch (error) {
    close();
    throw error;
  }
}
