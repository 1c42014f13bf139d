import { loadWrtc } from '../rtc/wrtc.js';

/**
 * A real browser-shaped offer made by a wrtc peer (audio sendrecv +
 * `oai-events` channel, no candidates). The peer is closed before returning.
 */
export async function makeOffer(): Promise<string> {
  const wrtc = await loadWrtc();
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver('audio', { direction: 'sendrecv' });
  pc.createDataChannel('oai-events');
  const offer = await pc.createOffer();
  pc.close();
  return offer.sdp ?? '';
}
