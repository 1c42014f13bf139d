import type { HistoryItem } from '@rtvoice/client';
import type { WidgetLabels } from './i18n.js';

/** How many history entries the transcript panel shows (the latest ones). */
export const MAX_LINES = 50;

/**
 * Renders the session's history into the transcript list: user and assistant
 * messages, tool calls, interrupted answers marked. Entries are keyed by item
 * id, so a streaming answer updates its line in place. The list is not a live
 * region: screen readers hear final lines through the widget's one status
 * region instead.
 */
export function renderTranscript(list: HTMLOListElement, history: readonly HistoryItem[], labels: WidgetLabels): void {
  const items = history.filter((h) => h.type === 'function_call' || h.role !== 'system').slice(-MAX_LINES);
  const existing = new Map<string, HTMLLIElement>();
  for (const li of Array.from(list.children) as HTMLLIElement[]) existing.set(li.dataset.id ?? '', li);
  const lines = items.map((item) => {
    const li = existing.get(item.id) ?? document.createElement('li');
    li.dataset.id = item.id;
    const role = item.type === 'function_call' ? 'tool' : item.role;
    const who = role === 'user' ? labels.you : role === 'tool' ? labels.tool : labels.agent;
    const text = item.type === 'function_call' ? item.name : item.text || '…';
    const interrupted = item.type === 'message' && item.interrupted === true;
    const key = `${role}|${who}|${text}|${interrupted}`;
    if (li.dataset.key !== key) {
      li.dataset.key = key;
      li.dataset.role = role;
      if (interrupted) li.dataset.interrupted = 'true';
      else delete li.dataset.interrupted;
      const name = document.createElement('span');
      name.className = 'who';
      name.textContent = `${who}: `;
      li.replaceChildren(name, text);
      if (interrupted) {
        const mark = document.createElement('span');
        mark.className = 'mark';
        mark.textContent = ` (${labels.interrupted})`;
        li.append(mark);
      }
    }
    return li;
  });
  list.replaceChildren(...lines);
  list.scrollTop = list.scrollHeight;
}
