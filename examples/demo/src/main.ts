/**
 * The showcase demo: `<rtvoice-widget>` with the page's own tools (a weather
 * card, the accent colour), settings that drive the widget's attributes, and a
 * microphone picker on the live session. No API key: the server runs the local
 * simulator unless OPENAI_API_KEY is set.
 */
import '@rtvoice/widget/define';
import { autoTransport, websocketTransport } from '@rtvoice/client';
// The WebSocket transport's audio worklet, served by the app as a file of its own (the page's CSP allows no blob: worklet).
import workletUrl from '@rtvoice/client/rtvoice-audio-worklet.js?url';
import { demoTools } from './tools.js';

const widget = document.querySelector('rtvoice-widget')!;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const weatherBody = $('weather-body');
const toolLog = $<HTMLOListElement>('tool-log');
const mic = $<HTMLSelectElement>('mic');

widget.options = {
  tools: demoTools({
    showWeather({ city, temperature_c, conditions }) {
      const card = $('weather');
      card.dataset.city = city;
      weatherBody.replaceChildren(Object.assign(document.createElement('strong'), { textContent: `${temperature_c} °C` }), ` ${conditions} in ${city}`);
      weatherBody.classList.remove('muted');
    },
    setAccent(name, hex) {
      // CSSOM, not a style attribute: fine under a strict style-src CSP.
      document.documentElement.style.setProperty('--accent', hex);
      document.documentElement.dataset.accent = name;
    },
  }),
  budget: { maxUsd: 0.5, onExceeded: 'disconnect' },
};

widget.addEventListener('rtvoice-tool', (e) => {
  const d = e.detail;
  const li = document.createElement('li');
  li.dataset.phase = d.phase;
  li.textContent =
    d.phase === 'call' ? `${d.name}(${JSON.stringify(d.args)})` : d.phase === 'result' ? `${d.name} → ${JSON.stringify(d.result)} in ${Math.round(d.durationMs)} ms` : `${d.name} failed: ${d.message}`;
  toolLog.append(li);
});

// Device picker: the labels are known once the microphone is allowed, i.e. in a call.
widget.addEventListener('rtvoice-state', async (e) => {
  if (e.detail.state !== 'connected' || mic.options.length > 1 || !widget.session) return;
  const { inputs } = await widget.session.listDevices().catch(() => ({ inputs: [] as MediaDeviceInfo[] }));
  for (const d of inputs) mic.append(new Option(d.label || d.deviceId, d.deviceId));
});
mic.addEventListener('change', () => {
  const deviceId = mic.value || undefined;
  widget.options = { ...widget.options, audio: { ...widget.options.audio, deviceId } };
  if (widget.session?.state === 'connected' && deviceId) void widget.session.setInputDevice(deviceId);
});

// Transport for the next call: WebRTC (the default), the WebSocket, or WebRTC with a WebSocket fallback.
$<HTMLSelectElement>('transport').addEventListener('change', (e) => {
  const value = (e.target as HTMLSelectElement).value;
  const { transport: _previous, ...rest } = widget.options;
  widget.options =
    value === 'websocket' ? { ...rest, transport: websocketTransport({ workletUrl }) } : value === 'auto' ? { ...rest, transport: autoTransport({ websocket: { workletUrl } }) } : rest;
});

const toggle = (name: string, on: boolean) => (on ? widget.setAttribute(name, '') : widget.removeAttribute(name));
$<HTMLInputElement>('ptt').addEventListener('change', (e) => toggle('push-to-talk', (e.target as HTMLInputElement).checked));
$<HTMLSelectElement>('lang').addEventListener('change', (e) => widget.setAttribute('lang', (e.target as HTMLSelectElement).value));
$<HTMLSelectElement>('theme').addEventListener('change', (e) => widget.setAttribute('theme', (e.target as HTMLSelectElement).value));
