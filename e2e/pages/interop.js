// Drives rtvoice-sim with OpenAI's own Agents SDK WebRTC transport, unchanged:
// the sim must look exactly like the real service to a third-party client.
import { OpenAIRealtimeWebRTC, RealtimeAgent, RealtimeSession } from '/vendor/openai-realtime-agents.mjs';
import { mint as mintOn, weatherTool } from './interop-common.js';

const params = new URLSearchParams(location.search);
const sim = params.get('sim');
const scenario = params.get('scenario');
const mint = () => mintOn(sim, scenario);
// muted=1: the microphone track is disabled (sends silence), so only typed turns reach the agent.
const muted = params.get('muted') === '1';
const state = { status: 'idle', error: null, events: [], toolCalls: [], transcripts: [], maxLevel: 0 };
window.interop = state;

const getWeather = weatherTool(state);

function meter(audio) {
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  const buf = new Float32Array(analyser.fftSize);
  const attach = () => {
    if (!audio.srcObject) return setTimeout(attach, 50);
    ctx.createMediaStreamSource(audio.srcObject).connect(analyser);
    setInterval(() => {
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      state.maxLevel = Math.max(state.maxLevel, Math.sqrt(sum / buf.length));
    }, 50);
  };
  attach();
}

window.startInterop = async () => {
  try {
    state.status = 'connecting';
    const audioElement = document.getElementById('remote');
    const options = { baseUrl: `${sim}/v1/realtime/calls`, audioElement };
    if (muted) {
      const mediaStream = await navigator.mediaDevices.getUserMedia({ audio: true });
      mediaStream.getAudioTracks()[0].enabled = false;
      options.mediaStream = mediaStream;
    }
    const transport = new OpenAIRealtimeWebRTC(options);
    const agent = new RealtimeAgent({ name: 'Interop', instructions: 'Answer briefly.', tools: [getWeather] });
    const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime' });
    transport.on('*', (event) => state.events.push(event.type));
    session.on('history_updated', (history) => {
      state.transcripts = history
        .filter((item) => item.type === 'message' && item.role === 'assistant')
        .map((item) => item.content.map((c) => c.transcript ?? c.text ?? '').join(''));
    });
    session.on('error', (e) => (state.error = String(e?.error?.message ?? e?.error ?? e)));
    window.interopSession = session;
    await session.connect({ apiKey: await mint() });
    meter(audioElement);
    state.status = 'connected';
  } catch (error) {
    state.status = 'failed';
    state.error = String(error?.message ?? error);
  }
};
