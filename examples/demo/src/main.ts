import { VoiceSession, type ConnectMetrics, type HistoryItem, type ServerEvent } from '@rtvoice/client';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const connectBtn = $<HTMLButtonElement>('connect');
const disconnectBtn = $<HTMLButtonElement>('disconnect');
const muteBtn = $<HTMLButtonElement>('mute');
const pttBtn = $<HTMLButtonElement>('ptt');
const interruptBtn = $<HTMLButtonElement>('interrupt');
const micSelect = $<HTMLSelectElement>('mic');
const textForm = $<HTMLFormElement>('text-form');
const textInput = $<HTMLInputElement>('text');
const sendBtn = $<HTMLButtonElement>('send');
const stateEl = $('state');
const speakingEl = $('speaking');
const transcriptEl = $('transcript');
const eventsEl = $('events');
const errorEl = $('error');
const metricsEl = $('metrics');
const turnEl = $('turn');
const usageEl = $('usage');
const levelIn = $<HTMLMeterElement>('level-in');
const levelOut = $<HTMLMeterElement>('level-out');

const session = new VoiceSession({
  tokenUrl: '/api/token',
  logLevel: 'info',
  tools: [
    {
      name: 'get_weather',
      description: 'The current weather in a city.',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      // A stand-in for a real lookup, slow enough that the agent says it is working on it.
      execute: async ({ city }: { city: string }, { signal }) => {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 2000);
          signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)));
        });
        return { city, temperature_c: 21, conditions: 'sunny' };
      },
    },
  ],
  budget: { maxUsd: 1, onExceeded: 'disconnect' },
});

/** What the page saw, for people reading the console and for the e2e test. */
const seen = {
  session,
  events: [] as string[],
  lastMicTrack: undefined as MediaStreamTrack | undefined,
  maxOutputLevel: 0,
  metrics: undefined as ConnectMetrics | undefined,
};
(window as unknown as { rtvoiceDemo: typeof seen }).rtvoiceDemo = seen;

// The conversation, rendered from the session's history: one line per item, in server order.
function line(item: HistoryItem): HTMLLIElement {
  const li = document.createElement('li');
  if (item.type === 'function_call') {
    li.dataset.role = 'tool';
    li.textContent = `${item.name}(${item.arguments}) → ${item.output ?? '…'}`;
  } else {
    li.dataset.role = item.role;
    li.textContent = item.text || (item.status === 'failed' ? '(not transcribed)' : '…');
    li.dataset.interrupted = String(Boolean(item.interrupted));
  }
  li.dataset.status = item.status;
  li.dataset.final = String(item.status !== 'in_progress');
  return li;
}
session.on('historyChange', ({ history }) => transcriptEl.replaceChildren(...history.map(line)));

session.on('serverEvent', (e: ServerEvent) => {
  seen.events.push(e.type);
  const li = document.createElement('li');
  li.textContent = e.type;
  eventsEl.prepend(li);
  while (eventsEl.children.length > 200) eventsEl.lastElementChild?.remove();
});

session.on('stateChange', ({ state }) => {
  stateEl.textContent = state;
  stateEl.dataset.state = state;
  const busy = state === 'connecting' || state === 'connected' || state === 'reconnecting';
  connectBtn.disabled = busy;
  disconnectBtn.disabled = !busy;
  for (const el of [muteBtn, pttBtn, interruptBtn, textInput, sendBtn]) el.disabled = state !== 'connected';
  if (state === 'connected') {
    seen.lastMicTrack = session.micTrack;
    void fillMics();
  }
});

session.on('speaking', ({ who }) => (speakingEl.textContent = who));

session.on('metrics', (m) => {
  if (m.kind === 'connect') {
    seen.metrics = m;
    metricsEl.textContent = `${m.reconnect ? 'Reconnected' : 'Connected'} in ${m.totalMs} ms (token ${m.tokenMs} ms, mic ${m.micMs} ms, SDP ${m.sdpMs} ms, data channel open at ${m.dataChannelOpenMs} ms).`;
  } else if (m.speechToAudioMs !== undefined) {
    turnEl.textContent = `Last turn: end of speech → agent audio ${m.speechToAudioMs} ms, → first words ${m.speechToTranscriptMs ?? '–'} ms.`;
  }
});

session.on('usage', (u) => {
  const cost = u.costUsd === undefined ? `no price for ${u.model ?? 'this model'}` : `$${u.costUsd.toFixed(4)}`;
  usageEl.textContent = `Usage: ${u.responses} responses, ${u.input_tokens} input and ${u.output_tokens} output tokens, ${cost}.`;
});

session.on('error', (err) => {
  errorEl.textContent = `${err.code}: ${err.message}`;
});

let meterTimer: number | undefined;
function meter(): void {
  const { input, output } = session.getLevels();
  levelIn.value = input;
  levelOut.value = output;
  seen.maxOutputLevel = Math.max(seen.maxOutputLevel, output);
}

async function fillMics(): Promise<void> {
  const { inputs } = await session.listDevices().catch(() => ({ inputs: [] as MediaDeviceInfo[] }));
  const current = micSelect.value;
  micSelect.replaceChildren(new Option('default', ''), ...inputs.filter((d) => d.deviceId && d.deviceId !== 'default').map((d) => new Option(d.label || d.deviceId.slice(0, 8), d.deviceId)));
  micSelect.value = current;
}
session.on('devicechange', () => void fillMics());
micSelect.addEventListener('change', () => {
  if (micSelect.value) session.setInputDevice(micSelect.value).catch((e: Error) => (errorEl.textContent = e.message));
});

connectBtn.addEventListener('click', async () => {
  errorEl.textContent = '';
  try {
    await session.connect();
    meterTimer = window.setInterval(meter, 50);
  } catch {
    // Shown by the error listener.
  }
});

disconnectBtn.addEventListener('click', async () => {
  window.clearInterval(meterTimer);
  await session.disconnect();
  levelIn.value = 0;
  levelOut.value = 0;
  muteBtn.setAttribute('aria-pressed', 'false');
  muteBtn.textContent = 'Mute';
});

muteBtn.addEventListener('click', () => {
  if (session.muted) session.unmute();
  else session.mute();
  muteBtn.setAttribute('aria-pressed', String(session.muted));
  muteBtn.textContent = session.muted ? 'Unmute' : 'Mute';
});

pttBtn.addEventListener('pointerdown', () => session.startTalking());
pttBtn.addEventListener('pointerup', () => session.stopTalking());
pttBtn.addEventListener('pointerleave', () => session.stopTalking());
interruptBtn.addEventListener('click', () => session.interrupt());

textForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = textInput.value.trim();
  if (!text || session.state !== 'connected') return;
  session.sendText(text);
  textInput.value = '';
});
