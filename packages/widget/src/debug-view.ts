import type { ConnectMetrics, TurnMetrics, UsageTotals } from '@rtvoice/client';
import type { WidgetView } from './view.js';

/** Shows the session's running cost (USD, or tokens when the model has no known prices). */
export function showCost(view: WidgetView, usage: UsageTotals): void {
  const tokens = (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
  view.cost.textContent = usage.costUsd === undefined ? `${tokens} tokens` : `$${usage.costUsd.toFixed(4)}`;
}

/** Shows a latency measurement: connect time, or the last turn's speech-to-audio time. */
export function showMetrics(view: WidgetView, m: ConnectMetrics | TurnMetrics): void {
  if (m.kind === 'connect') view.connectTime.textContent = `${Math.round(m.totalMs)} ms`;
  else if (m.speechToAudioMs !== undefined) view.turnLatency.textContent = `${Math.round(m.speechToAudioMs)} ms`;
}

/** Empties the debug values (a new call starts from zero). */
export function resetDebug(view: WidgetView): void {
  for (const dd of [view.cost, view.turnLatency, view.connectTime]) dd.textContent = '–';
}
