/** A listener for the event `K` of the event map `E`. */
export type Listener<E, K extends keyof E> = E[K] extends unknown[] ? (...args: E[K]) => void : never;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => void;

/**
 * A small typed emitter: `on()` returns its unsubscribe function, listeners run
 * in registration order on a snapshot (adding or removing during an emit is
 * safe), and a listener that throws cannot unwind into SDK code: the exception
 * goes to `onListenerError` and the remaining listeners still run.
 *
 * Hand-written rather than eventemitter3: it is 40 lines, and the client's
 * bundle budget has no room for a general-purpose emitter.
 */
export class TypedEmitter<E extends { [K in keyof E]: unknown[] }> {
  readonly #listeners = new Map<keyof E, Set<AnyFn & { of?: AnyFn }>>();
  readonly #onListenerError: (error: unknown, event: keyof E) => void;

  constructor(onListenerError: (error: unknown, event: keyof E) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns a function that removes it. Adding the same function twice has no effect. */
  on<K extends keyof E>(type: K, listener: Listener<E, K>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as AnyFn);
    return () => this.off(type, listener);
  }

  /** Adds a listener that runs at most once; returns a function that removes it. */
  once<K extends keyof E>(type: K, listener: Listener<E, K>): () => void {
    // The wrapper remembers its listener, so off(type, listener) finds it.
    const wrapper = Object.assign((...args: E[K]) => {
      this.off(type, wrapper as never);
      (listener as AnyFn)(...args);
    }, { of: listener as AnyFn });
    return this.on(type, wrapper as never);
  }

  /** Removes a listener added with `on()` or `once()`. */
  off<K extends keyof E>(type: K, listener: Listener<E, K>): void {
    const set = this.#listeners.get(type);
    for (const fn of set ?? []) if (fn === listener || fn.of === listener) set!.delete(fn);
  }

  /** Removes every listener, or every listener of one event. */
  removeAllListeners(type?: keyof E): void {
    if (type === undefined) this.#listeners.clear();
    else this.#listeners.delete(type);
  }

  /** Number of listeners of an event. */
  listenerCount(type: keyof E): number {
    return this.#listeners.get(type)?.size ?? 0;
  }

  /** Calls each listener of `type` in registration order. */
  emit<K extends keyof E>(type: K, ...args: E[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        this.#onListenerError(error, type);
      }
    }
  }
}
