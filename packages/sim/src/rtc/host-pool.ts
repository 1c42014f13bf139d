/**
 * Starts, fills and ends the rtc hosts of one sim: child processes running the native WebRTC
 * stack of up to `callsPerHost` calls each (see `rtc-host.ts`). A host with room is kept
 * started ahead of need, so a call does not wait for a process and the native binding to load
 * (about 250 ms). A host that dies takes its calls with it, and only them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimError } from '../errors.js';
import type { SimLogger } from '../logger.js';
import { AudioBatcher, type FromHost, type ToHost, unpack } from './host-protocol.js';

/** How long a host may take to start before the call fails. */
const START_TIMEOUT_MS = 20_000;
/** How long a closing host may take to close its peers and exit before it is killed. */
const HOST_EXIT_GRACE_MS = 1_000;

/** A call's view of its host: messages for it, and the host's death. */
export interface HostRoute {
  message(message: FromHost): void;
  /** Microphone audio of the call (16 kHz mono). */
  audio(samples: Int16Array): void;
  died(code: number | null, signal: NodeJS.Signals | null): void;
}

/** One host process. */
export class Host {
  readonly child: ChildProcess;
  /** Resolves once the native binding is loaded; rejects if the host cannot start. */
  readonly ready: Promise<void>;
  /** The calls placed here (answering or live). */
  readonly routes = new Map<number, HostRoute>();
  #nextId = 1;
  #exited = false;
  #retired = false;
  /** Frames pushed by the clock in the current tick, sent together at its end. */
  readonly #frames = new AudioBatcher();

  constructor(child: ChildProcess, logger: SimLogger) {
    this.child = child;
    // A send racing the host's death raises 'error' on the child: the exit reports it.
    child.on('error', (error) => logger.debug('rtc host error', { error: error.message }));
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new SimError('rtc_unavailable', 'The WebRTC host process did not start in time.'));
      }, START_TIMEOUT_MS);
      child.on('message', (message: FromHost) => {
        if (message.t === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (message.t === 'unavailable') {
          clearTimeout(timer);
          reject(new SimError('rtc_unavailable', `Could not load @roamhq/wrtc in the WebRTC host: ${message.message}`));
        } else if (message.t === 'log') {
          logger[message.level](message.message, message.fields);
        } else if (message.t === 'audio') {
          unpack(message, (id, samples) => this.routes.get(id)?.audio(samples));
        } else {
          this.routes.get(message.id)?.message(message);
        }
      });
      child.once('exit', (code, signal) => {
        this.#exited = true;
        clearTimeout(timer);
        reject(new SimError('rtc_unavailable', `The WebRTC host process exited while starting (${signal ?? `code ${code}`}).`));
        const routes = [...this.routes.values()];
        this.routes.clear();
        if (routes.length > 0) logger.warn('rtc host died: its calls end, the sim goes on', { pid: child.pid, signal, code, calls: routes.length });
        for (const route of routes) route.died(code, signal);
      });
    });
    // A host nobody waits for must not raise an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** False once the process has exited or was told to. */
  get alive(): boolean {
    return !this.#exited && !this.#retired;
  }

  /** True once the process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Tells the host to exit; it takes no more calls from now on. */
  retire(): void {
    this.#retired = true;
    this.post({ t: 'exit' });
  }

  /** Reserves a place for a call (its route set later with `routes.set`); returns its id. */
  reserve(): number {
    const id = this.#nextId++;
    this.routes.set(id, { message: () => undefined, audio: () => undefined, died: () => undefined });
    return id;
  }

  /**
   * Queues one call's output frame. The clock pushes every call's frame in one tick: they
   * cross to the host as one message (one serialization and one write instead of one per call).
   */
  pushFrame(id: number, frame: Int16Array): void {
    if (this.#frames.size === 0) {
      queueMicrotask(() => {
        const batch = this.#frames.flush();
        if (batch) this.post({ t: 'frames', ...batch });
      });
    }
    this.#frames.add(id, frame);
  }

  /** Sends to the host, if it is still there. */
  post(message: ToHost): void {
    if (this.child.connected) this.child.send(message);
  }
}

/**
 * The host script: `rtc-host.js` beside the built sim, or, when the sim runs from its
 * TypeScript sources (its own tests), the built one in `dist/`. Undefined when neither exists.
 */
export function findHostScript(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, 'rtc-host.js'), join(here, '..', '..', 'dist', 'rtc-host.js')].find((file) => existsSync(file));
}

/** The rtc hosts of one sim. */
export class HostPool {
  readonly #script: string;
  readonly #logger: SimLogger;
  readonly #callsPerHost: number;
  readonly #hosts = new Set<Host>();
  #closed = false;

  constructor(script: string, logger: SimLogger, callsPerHost: number) {
    this.#script = script;
    this.#logger = logger;
    this.#callsPerHost = callsPerHost;
  }

  /** Host processes alive now. */
  get size(): number {
    return this.#hosts.size;
  }

  /** Starts a host now if none has room for another call. */
  warm(): void {
    if (!this.#closed && !this.#withRoom()) this.#spawn();
  }

  /**
   * A place for one call in a started host: the host and the call's id there, reserved (so
   * concurrent calls never overfill a host). The caller sets the call's route at once.
   *
   * @throws SimError `closed` once the pool is closed, `rtc_unavailable` when no host can start.
   */
  async take(): Promise<{ host: Host; id: number }> {
    for (let attempt = 0; ; attempt += 1) {
      if (this.#closed) throw new SimError('closed', 'The sim is closing.');
      const host = this.#withRoom() ?? this.#spawn();
      const id = host.reserve();
      try {
        await host.ready;
      } catch (error) {
        host.routes.delete(id);
        // A host that died while starting: one more try, on a fresh process.
        if (attempt > 0) throw error;
        continue;
      }
      return { host, id };
    }
  }

  /**
   * A call left `host`. A host left empty exits unless it is the only one with room (kept
   * started for the next call).
   */
  release(host: Host): void {
    if (host.routes.size > 0 || !host.alive) return;
    const others = [...this.#hosts].some((h) => h !== host && h.alive && h.routes.size < this.#callsPerHost);
    if (others) host.retire();
  }

  /**
   * Ends every host and waits for them to exit: each closes its peers (the browsers see their
   * channels close) and exits; one still there after {@link HOST_EXIT_GRACE_MS} is killed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      [...this.#hosts].map(
        (host) =>
          new Promise<void>((resolve) => {
            if (host.exited) return resolve();
            const kill = setTimeout(() => host.child.kill('SIGKILL'), HOST_EXIT_GRACE_MS);
            host.child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            host.retire();
          }),
      ),
    );
  }

  /** The fullest host that still has room (calls packed, so empty hosts can exit). */
  #withRoom(): Host | undefined {
    let best: Host | undefined;
    for (const host of this.#hosts) {
      if (host.alive && host.routes.size < this.#callsPerHost && (!best || host.routes.size > best.routes.size)) best = host;
    }
    return best;
  }

  #spawn(): Host {
    const child = fork(this.#script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Not the parent's flags (a test runner's loaders, an inspector port).
      execArgv: [],
    });
    const host = new Host(child, this.#logger);
    this.#hosts.add(host);
    child.once('exit', () => this.#hosts.delete(host));
    return host;
  }
}
