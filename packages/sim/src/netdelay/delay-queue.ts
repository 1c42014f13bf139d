/**
 * Delivers items in order, each `delayMs` after it was queued (or later, never
 * before `notBefore`), with one timer per queue: two timers set at different
 * moments for the same instant could fire out of order, one queue cannot.
 */
export class DelayQueue<T> {
  readonly #items: { at: number; item: T }[] = [];
  readonly #deliver: (item: T) => void;
  readonly #delayMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #last = 0;
  #closed = false;

  constructor(delayMs: number, deliver: (item: T) => void) {
    this.#delayMs = delayMs;
    this.#deliver = deliver;
  }

  /** Queues `item` for `delayMs` from now, and not before `notBefore` (a `performance.now()` time). */
  push(item: T, notBefore = 0): void {
    if (this.#closed) return;
    // Never earlier than the item before it: the order of a byte stream or of a flow's datagrams is kept.
    const at = Math.max(performance.now() + this.#delayMs, notBefore, this.#last);
    this.#last = at;
    this.#items.push({ at, item });
    this.#arm();
  }

  /** Drops whatever is queued; later pushes are ignored. */
  close(): void {
    this.#closed = true;
    this.#items.length = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#timer || this.#items.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = performance.now();
      // setTimeout may fire up to a millisecond early (its clock rounds): deliver what is due within 0.5 ms.
      while (this.#items.length > 0 && this.#items[0]!.at <= now + 0.5 && !this.#closed) this.#deliver(this.#items.shift()!.item);
      this.#arm();
    }, Math.max(0, this.#items[0]!.at - performance.now()));
  }
}
