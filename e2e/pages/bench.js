// Times one connection with each client, from the connect() call to the first
// server event (session.created), with the key minted beforehand so that only
// getUserMedia + WebRTC negotiation + data channel open are measured.
import { OpenAIRealtimeWebRTC } from '/vendor/openai-realtime-agents.mjs';

const sim = new URLSearchParams(location.search).get('sim');

async function mint() {
  const res = await fetch(`${sim}/v1/realtime/client_secrets`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime' } }),
  });
  return (await res.json()).value;
}

window.connectRtvoice = async () => {
  const key = await mint();
  const session = new window.RtvoiceWidget.VoiceSession({ getToken: async () => ({ value: key, callsUrl: `${sim}/v1/realtime/calls` }) });
  const t0 = performance.now();
  const first = new Promise((resolve) => session.once('serverEvent', () => resolve(performance.now() - t0)));
  await session.connect();
  const ms = await first;
  session.disconnect();
  return ms;
};

window.connectAgentsSdk = async () => {
  const key = await mint();
  const transport = new OpenAIRealtimeWebRTC({ baseUrl: `${sim}/v1/realtime/calls` });
  const t0 = performance.now();
  const first = new Promise((resolve) => {
    const onEvent = (e) => {
      if (e.type === 'session.created') resolve(performance.now() - t0);
    };
    transport.on('*', onEvent);
  });
  await transport.connect({ apiKey: key, model: 'gpt-realtime' });
  const ms = await first;
  transport.close();
  return ms;
};
