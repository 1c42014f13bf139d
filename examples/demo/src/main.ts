import { VoiceSession, type ConnectMetrics, type ServerEvent } from '@rtvoice/client';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const connectBtn = $<HTMLButtonElement>('connect');
const disconnectBtn = $<HTMLButtonElement>('disconnect');
const stateEl = $('state');
const transcriptEl = $('transcript');
const eventsEl = $('events');
const errorEl = $('error');
const metricsEl = $('metrics');
const levelIn = $<HTMLMeterElement>('level-in');
const levelOut = $<HTMLMeterElement>('level-out');

const session = new VoiceSession({ tokenUrl: '/api/token', logLevel: 'info' });

/** What the page saw, for people reading the console and for the e2e test. */
const seen = {
  session,
  events: [] as string[],
  lastMicTrack: undefined as MediaStreamTrack | undefined,
  maxOutputLevel: 0,
  metrics: undefined as ConnectMetrics | undefined,
};
(window as unknown as { rtvoiceDemo: typeof seen }).rtvoiceDemo = seen;

const lines = new Map<string, HTMLLIElement>();
session.on('transcript', (t) => {
  let li = lines.get(t.itemId);
  if (!li) {
    li = document.createElement('li');
    li.dataset.role = t.role;
    lines.set(t.itemId, li);
    transcriptEl.append(li);
  }
  li.textContent = t.text || '…';
  li.dataset.final = String(t.final);
});

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
  const live = state === 'connecting' || state === 'connected';
  connectBtn.disabled = live;
  disconnectBtn.disabled = !live;
  if (state === 'connected') seen.lastMicTrack = session.micTrack;
});

session.on('metrics', (m) => {
  seen.metrics = m;
  metricsEl.textContent = `Connected in ${m.totalMs} ms (data channel open at ${m.dataChannelOpenMs} ms; token ${m.tokenMs} ms, mic ${m.micMs} ms).`;
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

connectBtn.addEventListener('click', async () => {
  errorEl.textContent = '';
  try {
    await session.connect();
    meterTimer = window.setInterval(meter, 50);
  } catch {
    // Shown by the error listener.
  }
});

disconnectBtn.addEventListener('click', () => {
  window.clearInterval(meterTimer);
  session.disconnect();
  levelIn.value = 0;
  levelOut.value = 0;
});
