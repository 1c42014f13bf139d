// Drives rtvoice-sim's WebSocket endpoint with OpenAI's own Agents SDK
// WebSocket transport, unchanged: in a browser it authenticates with the
// subprotocols ["realtime", "openai-insecure-api-key.<ek_…>", "openai-agents-sdk.<version>"]
// and gets model audio as `audio` events (PCM16 24 kHz), with no microphone.
import { OpenAIRealtimeWebSocket, RealtimeAgent, RealtimeSession } from '/vendor/openai-realtime-agents.mjs';
import { mint as mintOn, weatherTool } from './interop-common.js';

const params = new URLSearchParams(location.search);
const sim = params.get('sim');
const scenario = params.get('scenario');
const mint = () => mintOn(sim, scenario);
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

const getWeather = weatherTool(state);

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
