/**
 * Owns every timer of one session so that closing the session leaves no
 * handle behind. `sleep()` resolves `false` instead of hanging when the bag
 * is cleared.
 */
export class TimerBag {
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #sleepers = new Set<(elapsed: boolean) => void>();
  #closed = false;

  /** Runs `fn` after `ms` unless the bag is cleared first. */
  set(fn: () => void, ms: number): ReturnType<typeof setTimeout> | undefined {
    if (this.#closed) return undefined;
    const handle = setTimeout(() => {
      this.#timers.delete(handle);
      fn();
    }, Math.max(0, ms));
    this.#timers.add(handle);
    return handle;
  }

  /** Cancels one timer. */
  clear(handle: ReturnType<typeof setTimeout> | undefined): void {
    if (handle === undefined) return;
    clearTimeout(handle);
    this.#timers.delete(handle);
  }

  /** Resolves `true` after `ms`, or `false` as soon as the bag is cleared. */
  sleep(ms: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (elapsed: boolean): void => {
        this.#sleepers.delete(done);
        resolve(elapsed);
      };
      this.#sleepers.add(done);
      this.set(() => done(true), ms);
    });
  }

  /** Number of pending timers (for leak checks in tests). */
  get size(): number {
    return this.#timers.size;
  }

  /** Cancels everything; later calls to `set`/`sleep` do nothing. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const s of [...this.#sleepers]) s(false);
  }
}
