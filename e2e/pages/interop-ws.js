// Drives rtvoice-sim's WebSocket endpoint with OpenAI's own Agents SDK
// WebSocket transport, unchanged: in a browser it authenticates with the
// subprotocols ["realtime", "openai-insecure-api-key.<ek_…>", "openai-agents-sdk.<version>"]
// and gets model audio as `audio` events (PCM16 24 kHz), with no microphone.
import { OpenAIRealtimeWebSocket, RealtimeAgent, RealtimeSession, tool } from '/vendor/openai-realtime-agents.mjs';

const params = new URLSearchParams(location.search);
const sim = params.get('sim');
const scenario = params.get('scenario');
const state = {
  status: 'idle',
  error: null,
  protocol: null,
  events: [],
  toolCalls: [],
  transcripts: [],
  audioEvents: 0,
  audioBytes: 0,
  maxAudioLevel: 0,
};
window.interop = state;

const getWeather = tool({
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
  execute: async ({ city }) => {
    state.toolCalls.push(city);
    return JSON.stringify({ city, temperature_c: 21, conditions: 'sunny' });
  },
});

async function mint() {
  const query = scenario ? `?sim_scenario=${encodeURIComponent(scenario)}` : '';
  const res = await fetch(`${sim}/v1/realtime/client_secrets${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime' } }),
  });
  if (!res.ok) throw new Error(`client_secrets answered ${res.status}`);
  return (await res.json()).value;
}

/** RMS (0..1) of a PCM16 little-endian buffer. */
function level(buffer) {
  const view = new DataView(buffer);
  let sum = 0;
  const n = Math.floor(buffer.byteLength / 2);
  for (let i = 0; i < n; i++) {
    const s = view.getInt16(2 * i, true) / 32768;
    sum += s * s;
  }
  return n ? Math.sqrt(sum / n) : 0;
}

window.startInterop = async () => {
  try {
    state.status = 'connecting';
    const url = `${sim.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`;
    const transport = new OpenAIRealtimeWebSocket({ url });
    const agent = new RealtimeAgent({ name: 'Interop', instructions: 'Answer briefly.', tools: [getWeather] });
    const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime' });
    transport.on('*', (event) => state.events.push(event.type));
    transport.on('audio', (event) => {
      state.audioEvents += 1;
      state.audioBytes += event.data.byteLength;
      state.maxAudioLevel = Math.max(state.maxAudioLevel, level(event.data));
    });
    session.on('history_updated', (history) => {
      state.transcripts = history
        .filter((item) => item.type === 'message' && item.role === 'assistant')
        .map((item) => item.content.map((c) => c.transcript ?? c.text ?? '').join(''));
    });
    session.on('error', (e) => (state.error = String(e?.error?.message ?? e?.error ?? e)));
    window.interopSession = session;
    window.interopTransport = transport;
    await session.connect({ apiKey: await mint() });
    state.protocol = transport.connectionState.websocket?.protocol ?? null;
    state.status = transport.status;
  } catch (error) {
    state.status = 'failed';
    state.error = String(error?.message ?? error);
  }
};
