// A browser stand-in that connects to the sim and then is killed with SIGKILL
// by the test: no DTLS close, no SCTP abort, so only ICE notices it is gone.
const wrtc = require('@roamhq/wrtc');
(async () => {
  const url = process.argv[2];
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const dc = pc.createDataChannel('oai-events');
  dc.onmessage = (m) => {
    if (String(m.data).includes('session.created')) process.stdout.write('connected\n');
  };
  await pc.setLocalDescription(await pc.createOffer());
  const mint = await fetch(`${url}/v1/realtime/client_secrets`, { method: 'POST' });
  const { value } = await mint.json();
  const res = await fetch(`${url}/v1/realtime/calls`, {
    method: 'POST',
    headers: { authorization: `Bearer ${value}`, 'content-type': 'application/sdp' },
    body: pc.localDescription.sdp,
  });
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
})();
setTimeout(() => process.exit(3), 30_000); // never outlive the test
