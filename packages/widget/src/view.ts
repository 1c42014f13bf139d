import type { WidgetLabels } from './i18n.js';

/** The widget's shadow DOM, with a reference to every node the element updates. */
export interface WidgetView {
  panel: HTMLElement;
  status: HTMLElement;
  visualizer: HTMLElement;
  call: HTMLButtonElement;
  mute: HTMLButtonElement;
  ptt: HTMLButtonElement;
  stop: HTMLButtonElement;
  error: HTMLElement;
  errorText: HTMLElement;
  errorDetail: HTMLElement;
  errorAction: HTMLButtonElement;
  transcript: HTMLOListElement;
  form: HTMLFormElement;
  input: HTMLInputElement;
  send: HTMLButtonElement;
  debug: HTMLDListElement;
  cost: HTMLElement;
  turnLatency: HTMLElement;
  connectTime: HTMLElement;
  live: HTMLElement;
}

/** Number of bars per level meter in the visualizer. */
export const BARS = 4;

function node<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', part = ''): HTMLElementTagNameMap[K] {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (part) n.setAttribute('part', part);
  return n;
}

function button(className: string, part: string): HTMLButtonElement {
  const b = node('button', className, part);
  b.type = 'button';
  return b;
}

/** Builds the widget's DOM into `root` (its text comes later, from {@link applyLabels}). */
export function buildView(root: ShadowRoot): WidgetView {
  const panel = node('div', 'panel', 'panel');
  const head = node('div', 'head', 'header');
  const dot = node('span', 'dot', 'indicator');
  const status = node('span', 'status', 'status');
  const visualizer = node('div', 'viz', 'visualizer');
  visualizer.setAttribute('aria-hidden', 'true');
  for (const kind of ['in', 'out']) for (let i = 0; i < BARS; i += 1) visualizer.append(node('span', kind));
  head.append(dot, status, visualizer);

  const controls = node('div', 'controls', 'controls');
  const call = button('primary', 'call-button');
  const mute = button('', 'mute-button');
  mute.setAttribute('aria-pressed', 'false');
  const ptt = button('', 'ptt-button');
  ptt.setAttribute('aria-pressed', 'false');
  const stop = button('', 'interrupt-button');
  controls.append(call, mute, ptt, stop);

  const error = node('div', 'error', 'error');
  const errorText = node('p');
  const errorDetail = node('span', 'detail', 'error-detail');
  const errorAction = button('', 'error-button');
  error.append(errorText, errorAction);

  const transcript = node('ol', 'log', 'transcript');
  const form = node('form', '', 'text-form');
  const input = node('input', '', 'text-input');
  input.type = 'text';
  input.autocomplete = 'off';
  input.enterKeyHint = 'send';
  const send = node('button', '', 'send-button');
  send.type = 'submit';
  form.append(input, send);

  const debug = node('dl', 'debug', 'debug');
  const cost = node('dd');
  const turnLatency = node('dd');
  const connectTime = node('dd');
  for (const dd of [cost, turnLatency, connectTime]) debug.append(node('dt'), dd);

  const live = node('div', 'sr');
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  live.setAttribute('aria-atomic', 'true');

  panel.append(head, controls, error, transcript, form, debug, live);
  root.append(panel);
  for (const n of [mute, ptt, stop, error, transcript, form, debug]) n.hidden = true;
  return { panel, status, visualizer, call, mute, ptt, stop, error, errorText, errorDetail, errorAction, transcript, form, input, send, debug, cost, turnLatency, connectTime, live };
}

/** Writes the labels that do not depend on the state (the element writes the rest). */
export function applyLabels(view: WidgetView, labels: WidgetLabels): void {
  view.mute.textContent = labels.mute;
  view.ptt.textContent = labels.holdToTalk;
  view.stop.textContent = labels.stopAnswer;
  view.send.textContent = labels.send;
  view.input.setAttribute('aria-label', labels.message);
  view.input.placeholder = labels.placeholder;
  view.transcript.setAttribute('aria-label', labels.conversation);
  view.debug.setAttribute('aria-label', 'Debug');
  const terms = view.debug.querySelectorAll('dt');
  [labels.cost, labels.turnLatency, labels.connectTime].forEach((text, i) => {
    terms[i]!.textContent = text;
  });
}
