import type { Commands, ItemInput } from '../protocol/client-events.js';
import type { History } from './history.js';
import type { ResponseTracker } from './responses.js';
import type { Signals } from './signals.js';

/**
 * What a new connection needs to go on with the conversation where the last
 * one dropped: the history, the typed messages the server never acknowledged,
 * and the answer owed for a tool output held while the connection was down.
 */
export class Replay {
  /** Messages sent with sendText() that the server has not acknowledged yet. */
  readonly #unacked = new Map<string, ItemInput>();
  /** A tool output was held because no connection was open. */
  heldOutputs = false;
  readonly #history: History;
  readonly #tracker: ResponseTracker;
  readonly #toolsRunning: () => number;

  constructor(signals: Signals, history: History, tracker: ResponseTracker, toolsRunning: () => number) {
    this.#history = history;
    this.#tracker = tracker;
    this.#toolsRunning = toolsRunning;
    signals.on('itemAdded', ({ item }) => this.#unacked.delete(item.id));
    // Refused by the server (its error names our event, sent with the item's id): never sent again.
    signals.on('serverError', (error) => {
      if (typeof error.event_id === 'string') this.#unacked.delete(error.event_id);
    });
  }

  /** A message was sent with an id of ours: kept until the server acknowledges it. */
  sent(item: ItemInput & { id: string }): void {
    this.#unacked.set(item.id, item);
  }

  /** Re-creates the conversation on `commands`' connection, in order, then sends what was waiting. */
  run(commands: Commands): void {
    for (const item of this.#history.replayItems()) commands.createItem(item);
    // Typed just before the drop, never acknowledged: sent again after the rest.
    for (const item of this.#unacked.values()) commands.createItem(item, item.id);
    // A tool finished while the connection was down: its output is in the replay; ask for the answer now.
    if (this.heldOutputs && this.#toolsRunning() === 0) this.#tracker.request();
    this.heldOutputs = false;
    this.#tracker.flush();
  }

  /** A new conversation: nothing to carry over. */
  clear(): void {
    this.#unacked.clear();
    this.heldOutputs = false;
  }
}
