// One click to first audio, with one of the clients under test (?variant=). The page is served by
// the site (which also answers /token, like an app's own token endpoint); ?sim= is the Realtime
// endpoint. Every client sends the same session.update and asks for a first response (the sim's
// greeting) as soon as it can; the probe times each step from the click.
import { OpenAIRealtimeWebRTC, RealtimeAgent, RealtimeSession } from '/vendor/openai-realtime-agents.mjs';

const params = new URLSearchParams(location.search);
const variant = params.get('variant');
// A URL this browser has not preflighted yet: every connect is a first visit.
const callsUrl = `${params.get('sim')}/v1/realtime/calls?visit=${crypto.randomUUID()}`;
const INSTRUCTIONS = 'You are the benchmark agent.';
const button = document.getElementById('go');
const state = { ready: false, error: null, done: false };
window.bench = state;
let close = () => undefined;

/** rtvoice: the token endpoint by URL, the default Realtime URL known in advance (as api.openai.com is). */
function rtvoiceSession() {
  const { VoiceSession } = window.RtvoiceWidget;
  const session = new VoiceSession({ tokenUrl: '/token', callsUrl, session: { instructions: INSTRUCTIONS }, reconnect: false });
  close = () => session.disconnect();
  return session;
}

const variants = {
  async rtvoice() {
    const session = rtvoiceSession();
    return () => session.connect({ speakFirst: true });
  },
  async 'rtvoice-prepare'() {
    const session = rtvoiceSession();
    await session.prepare();
    return () => session.connect({ speakFirst: true });
  },
  async 'rtvoice-prepared-connection'() {
    const session = rtvoiceSession();
    await session.prepare({ connect: true });
    return () => session.connect({ speakFirst: true });
  },
  // The official WebRTC quick start, step by step.
  async baseline() {
    return async () => {
      const tokenResponse = await fetch('/token', { method: 'POST' });
      const data = await tokenResponse.json();
      const EPHEMERAL_KEY = data.value;
      const pc = new RTCPeerConnection();
      close = () => pc.close();
      const audioElement = document.getElementById('remote');
      pc.ontrack = (e) => (audioElement.srcObject = e.streams[0]);
      const ms = await navigator.mediaDevices.getUserMedia({ audio: true });
      pc.addTrack(ms.getTracks()[0]);
      const dc = pc.createDataChannel('oai-events');
      dc.addEventListener('open', () => {
        dc.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', instructions: INSTRUCTIONS } }));
        dc.send(JSON.stringify({ type: 'response.create' }));
      });
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const sdpResponse = await fetch(callsUrl, {
        method: 'POST',
        body: offer.sdp,
        headers: { Authorization: `Bearer ${EPHEMERAL_KEY}`, 'Content-Type': 'application/sdp' },
      });
      await pc.setRemoteDescription({ type: 'answer', sdp: await sdpResponse.text() });
      const prev = close;
      close = () => (ms.getTracks().forEach((t) => t.stop()), prev());
    };
  },
  // @openai/agents-realtime as its docs show: the client secret from your server, then session.connect().
  async 'agents-realtime'() {
    const agent = new RealtimeAgent({ name: 'Bench', instructions: INSTRUCTIONS });
    const transport = new OpenAIRealtimeWebRTC({ baseUrl: callsUrl, audioElement: document.getElementById('remote') });
    const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime' });
    close = () => session.close();
    return async () => {
      const { value } = await (await fetch('/token', { method: 'POST' })).json();
      await session.connect({ apiKey: value });
      transport.sendEvent({ type: 'response.create' });
    };
  },
};

try {
  const start = await variants[variant]();
  button.addEventListener('click', async () => {
    window.probe.t0 = performance.now();
    try {
      await start();
    } catch (error) {
      state.error = String(error?.message ?? error);
    }
  });
  button.disabled = false;
  state.ready = true;
} catch (error) {
  state.error = String(error?.message ?? error);
}
window.benchClose = async () => {
  await close();
};
