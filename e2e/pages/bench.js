// Times one connection with each client, from the connect() call to the first
// server event (session.created), with the key minted beforehand so that only
// getUserMedia + WebRTC negotiation + data channel open are measured.
import { OpenAIRealtimeWebRTC } from '/vendor/openai-realtime-agents.mjs';

const sim = new URLSearchParams(location.search).get('sim');

async function mint(scenario) {
  const res = await fetch(`${sim}/v1/realtime/client_secrets`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(scenario && { 'X-Sim-Scenario': scenario }) },
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

/**
 * Turn latency on one transport: from the server's `speech_stopped` reaching the page to the
 * assistant's audio being audible at the page (the session's output level, polled every 2 ms),
 * over `turns` spoken turns of the fake mic. Also returns the session's own turn metric.
 */
window.turnLatency = async (transport, turns) => {
  const { VoiceSession, websocketTransport } = window.RtvoiceWidget;
  const session = new VoiceSession({
    getToken: async () => ({ value: await mint(), callsUrl: `${sim}/v1/realtime/calls` }),
    session: { audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 500 } } } },
    ...(transport === 'websocket' && { transport: websocketTransport() }),
    // Without the echo-cancellation loopback: what the loopback costs in latency.
    ...(transport === 'websocket-direct' && { transport: websocketTransport({ echoCancellationLoopback: false }) }),
  });
  const heard = [];
  const metric = [];
  let stoppedAt = 0;
  session.on('serverEvent', (e) => {
    if (e.type === 'input_audio_buffer.speech_stopped') stoppedAt = performance.now();
  });
  session.on('metrics', (m) => m.kind === 'turn' && typeof m.speechToAudioMs === 'number' && metric.push(m.speechToAudioMs));
  await session.connect();
  const poll = setInterval(() => {
    if (stoppedAt && session.getLevels().output > 0.01) {
      heard.push(performance.now() - stoppedAt);
      stoppedAt = 0;
    }
  }, 2);
  const deadline = performance.now() + turns * 15_000;
  while (heard.length < turns && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  clearInterval(poll);
  await session.disconnect();
  return { heard, metric };
};

/**
 * Barge-in on one transport: the sim's long answer plays, the fake mic speaks over it; measured at
 * the page from `input_audio_buffer.speech_started` arriving to the session's output level reading
 * silence (polled every 2 ms), over `n` interruptions (one new session each).
 */
window.bargeIn = async (transport, n) => {
  const { VoiceSession, websocketTransport } = window.RtvoiceWidget;
  const silenced = [];
  for (let i = 0; i < n; i += 1) {
    const session = new VoiceSession({
      getToken: async () => ({ value: await mint('long-answer'), callsUrl: `${sim}/v1/realtime/calls` }),
      session: { audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 600 } } } },
      ...(transport === 'websocket' && { transport: websocketTransport() }),
    });
    let startedAt = 0;
    let playing = false;
    session.on('agentAudio', (a) => (playing = a.state === 'started'));
    session.on('serverEvent', (e) => {
      if (e.type === 'input_audio_buffer.speech_started' && playing && !startedAt) startedAt = performance.now();
    });
    await session.connect();
    const result = await new Promise((resolve) => {
      const deadline = setTimeout(() => (clearInterval(poll), resolve(undefined)), 40_000);
      const poll = setInterval(() => {
        if (startedAt && session.getLevels().output < 0.001) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve(performance.now() - startedAt);
        }
      }, 2);
    });
    await session.disconnect();
    if (result !== undefined) silenced.push(result);
  }
  return silenced;
};
