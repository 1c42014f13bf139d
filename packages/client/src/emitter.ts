import { EventEmitter } from 'eventemitter3';

/** A listener for the event `K` of the event map `E`. */
export type Listener<E, K extends keyof E> = E[K] extends unknown[] ? (...args: E[K]) => void : never;

type AnyFn = (...args: unknown[]) => void;

/**
 * A typed emitter built on eventemitter3 with two changes that matter in an SDK:
 * `on()` returns its unsubscribe function, and a listener that throws cannot
 * unwind into SDK code: the exception goes to `onListenerError` instead, and
 * the remaining listeners still run.
 */
export class TypedEmitter<E extends { [K in keyof E]: unknown[] }> {
  readonly #ee = new EventEmitter();
  /** Maps each user listener to the guarded wrapper registered for it, per event. */
  readonly #wrappers = new Map<keyof E, Map<AnyFn, AnyFn>>();
  readonly #onListenerError: (error: unknown, event: keyof E) => void;

  constructor(onListenerError: (error: unknown, event: keyof E) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(type: K, listener: Listener<E, K>): () => void {
    return this.#add(type, listener as unknown as AnyFn, false);
  }

  /** Adds a listener that runs at most once; returns a function that removes it. */
  once<K extends keyof E>(type: K, listener: Listener<E, K>): () => void {
    return this.#add(type, listener as unknown as AnyFn, true);
  }

  /** Removes a listener added with `on()` or `once()`. */
  off<K extends keyof E>(type: K, listener: Listener<E, K>): void {
    const byListener = this.#wrappers.get(type);
    const wrapper = byListener?.get(listener as unknown as AnyFn);
    if (!byListener || !wrapper) return;
    byListener.delete(listener as unknown as AnyFn);
    this.#ee.off(type as string, wrapper);
  }

  /** Removes every listener, or every listener of one event. */
  removeAllListeners(type?: keyof E): void {
    if (type === undefined) this.#wrappers.clear();
    else this.#wrappers.delete(type);
    this.#ee.removeAllListeners(type as string | undefined);
  }

  /** Number of listeners of an event. */
  listenerCount(type: keyof E): number {
    return this.#ee.listenerCount(type as string);
  }

  /** Calls each listener of `type` in registration order. */
  emit<K extends keyof E>(type: K, ...args: E[K]): void {
    this.#ee.emit(type as string, ...args);
  }

  #add(type: keyof E, listener: AnyFn, once: boolean): () => void {
    let byListener = this.#wrappers.get(type);
    if (!byListener) this.#wrappers.set(type, (byListener = new Map()));
    if (byListener.has(listener)) return () => this.off(type as never, listener as never);
    const wrapper: AnyFn = (...args) => {
      if (once) this.off(type as never, listener as never);
      try {
        listener(...args);
      } catch (error) {
        this.#onListenerError(error, type);
      }
    };
    byListener.set(listener, wrapper);
    this.#ee.on(type as string, wrapper);
    return () => this.off(type as never, listener as never);
  }
}
