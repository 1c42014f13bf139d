import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from './agent/agent.js';
import { ParrotAgent } from './agent/parrot.js';
import { ScenarioAgent } from './agent/scenario-agent.js';
import { parseScenario, resolveScenario, SHIPPED_SCENARIOS } from './agent/scenario-library.js';
import type { Scenario } from './agent/scenario-schema.js';
import { SimError } from './errors.js';
import { type FaultSpec, parseFaults } from './faults/fault-spec.js';
import { installEarlyFaults, installSessionFaults } from './faults/session-faults.js';
import type { CallOptions, SimContext } from './http/context.js';
import { handleBetaSessions } from './http/beta-sessions.js';
import { createRouter } from './http/router.js';
import { KeyStore } from './keys/key-store.js';
import { silentLogger, type SimLogger } from './logger.js';
import { BetaDialect } from './protocol/beta-dialect.js';
import { newRtcCallId } from './protocol/ids.js';
import type { RealtimeSession } from './protocol/session-config.js';
import { AudioClock, type ClockStats } from './rtc/audio-clock.js';
import { relayCandidates, withoutCandidates } from './netdelay/udp-relay.js';
import { startTcpDelay } from './netdelay/tcp-delay.js';
import { blackholeCandidates } from './rtc/blackhole.js';
import { findHostScript, HostPool } from './rtc/host-pool.js';
import { type PeerHandlers, type PeerOptions, SimPeer } from './rtc/peer.js';
import { type CallPeer, RemotePeer } from './rtc/remote-peer.js';
import { handleClientMessage } from './session/client-events.js';
import type { AudioDelivery } from './session/response-runner.js';
import { type SessionTransport, SimSession } from './session/session.js';
import { TimerBag } from './session/timers.js';
import { createUpgradeHandler } from './ws/upgrade.js';
import { CLOSE_CODES, runSocketSession, socketTransport } from './ws/ws-session.js';

/** Options of {@link startSim}. All optional. */
export interface SimOptions {
  /** TCP port (default 0: any free port). */
  port?: number;
  /** Address to bind (default `127.0.0.1`). */
  host?: string;
  /** Where to log (default: silent). */
  logger?: SimLogger;
  /**
   * Faults applied to every request and session, in the `X-Sim-Fault`
   * syntax (e.g. `"calls=429*1,audio=stop"`) or as a parsed {@link FaultSpec}.
   */
  faults?: string | FaultSpec;
  /**
   * ICE candidate address put in SDP answers (default `127.0.0.1`; `"*"`
   * keeps every IPv4 UDP host candidate, for a browser on another machine).
   */
  iceAddress?: string;
  /** Seconds of response audio generated per wall-clock second (default 2). */
  generationSpeed?: number;
  /** Close a call whose data channel has not opened after this long (default 15000 ms). */
  connectTimeoutMs?: number;
  /** Close a call whose ICE stays `disconnected` this long (default 2000 ms). */
  disconnectGraceMs?: number;
  /** Close sessions after this long, like the service's 60-minute limit (default 3600000 ms). */
  maxSessionMs?: number;
  /**
   * The agent of every session unless a request names another: `"parrot"`
   * (default), a shipped scenario name (`greeting`, `tool-call`,
   * `long-answer`), a name from `scenarios`, a path to a scenario `.json`
   * file, or a scenario object.
   */
  scenario?: string | Scenario;
  /** Extra scenarios, selectable by name per request (`X-Sim-Scenario` / `?sim_scenario=`). */
  scenarios?: Scenario[];
  /**
   * One-way network delay in ms between callers and the sim, built in user
   * space (default 0: none). HTTP and WebSocket traffic goes through a TCP
   * relay that holds every chunk this long each way (a new connection pays
   * one more round trip, its handshake), and each call's media through a
   * per-flow UDP relay holding every datagram this long each way (ICE, DTLS,
   * SCTP and RTP all pay it). `url` is then the delayed front.
   */
  networkDelayMs?: number;
  /**
   * Where the calls' native WebRTC stack runs. `"process"` (default): in child processes, up to
   * `callsPerHost` calls each, so that a crash of the native binding ends those calls only, never
   * the sim; a host with room is kept started ahead of need. `"inline"`: in the sim's process (lighter; a native crash takes
   * the sim down). `"process"` needs the built `rtc-host.js`; without it the sim runs inline and
   * says so in a warning.
   */
  rtcHosts?: 'process' | 'inline';
  /** Calls per rtc host process with `rtcHosts: "process"` (default 8): what one native crash can end at most. */
  callsPerHost?: number;
  /** Start the first rtc host with the sim instead of at the first token or call (default false). */
  prewarmRtc?: boolean;
}

/** Counters reported by {@link SimServer.stats} and `GET /health`. */
export interface SimStats {
  /** Sessions currently open (WebRTC calls and WebSocket sessions). */
  sessions: number;
  /** Sessions opened since start. */
  sessionsTotal: number;
  /** Ephemeral keys held. */
  keys: number;
  /** Timing of the outgoing audio schedule. */
  audio: ClockStats;
  /** rtc host processes alive (each runs up to `callsPerHost` WebRTC calls). */
  rtcHosts: number;
}

/** A running sim. */
export interface SimServer {
  /** Base URL, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Bound port (of the delayed front, with `networkDelayMs`). */
  readonly port: number;
  /** The sim itself, without the `networkDelayMs` front (same as `url` without one). */
  readonly directUrl: string;
  /** Live counters. */
  stats(): SimStats;
  /** Closes every session, peer connection, WebSocket, timer and socket. Idempotent. */
  close(): Promise<void>;
}

interface Call {
  session: SimSession;
  peer: CallPeer | undefined;
}

/**
 * Starts the sim: an HTTP server speaking the OpenAI Realtime WebRTC
 * endpoints on loopback, with one isolated session per call, and the
 * WebSocket endpoint `GET /v1/realtime` (a session per socket, or a
 * sideband on a call with `?call_id=`).
 *
 * @example
 * ```ts
 * import { startSim } from '@rtvoice/sim';
 * const sim = await startSim();
 * console.log(sim.url); // http://127.0.0.1:PORT
 * await sim.close();
 * ```
 * @throws SimError `invalid_options`, `invalid_fault` or `listen_failed`.
 */
export async function startSim(options: SimOptions = {}): Promise<SimServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SimError('invalid_options', `Invalid port ${String(options.port)}.`);
  }
  const generationSpeed = options.generationSpeed ?? 2;
  const delayMs = options.networkDelayMs ?? 0;
  if (!(delayMs >= 0 && delayMs <= 10_000)) throw new SimError('invalid_options', 'networkDelayMs must be 0-10000.');
  if (!(generationSpeed >= 1)) throw new SimError('invalid_options', 'generationSpeed must be >= 1.');
  const logger = options.logger ?? silentLogger;
  const globalFaults = typeof options.faults === 'string' ? parseFaults(options.faults) : (options.faults ?? {});
  const iceAddress = options.iceAddress ?? (host === '0.0.0.0' || host === '::' ? '*' : host === 'localhost' ? '127.0.0.1' : host);
  const clock = new AudioClock();
  const timers = new TimerBag();
  const calls = new Map<string, Call>();
  /** Sessions over the WebSocket transport. */
  const socketSessions = new Set<SimSession>();
  /** Sessions whose SDP answer is still being prepared (not yet in `calls`). */
  const settingUp = new Set<SimSession>();
  const keys = new KeyStore();
  const hostScript = options.rtcHosts === 'inline' ? undefined : findHostScript();
  if (options.rtcHosts !== 'inline' && !hostScript) {
    logger.warn('rtc-host.js not found (build @rtvoice/sim): WebRTC calls run inline, where a native crash ends the sim');
  }
  const callsPerHost = options.callsPerHost ?? 8;
  if (!(Number.isInteger(callsPerHost) && callsPerHost >= 1)) throw new SimError('invalid_options', 'callsPerHost must be an integer >= 1.');
  const hosts = hostScript ? new HostPool(hostScript, logger, callsPerHost) : undefined;
  if (options.prewarmRtc) hosts?.warm();
  const started = Date.now();
  let sessionsTotal = 0;

  const stats = (): SimStats => ({
    sessions: calls.size + socketSessions.size,
    sessionsTotal,
    keys: keys.size,
    audio: clock.stats(),
    rtcHosts: hosts?.size ?? 0,
  });

  const registered = new Map<string, Scenario>();
  for (const raw of options.scenarios ?? []) {
    const scenario = parseScenario(raw);
    registered.set(scenario.name, scenario);
  }
  const defaultScenario: Scenario | undefined =
    options.scenario === undefined || options.scenario === 'parrot' ? undefined : resolveScenario(options.scenario, registered);
  const hasScenario = (name: string): boolean =>
    name === 'parrot' || registered.has(name) || (SHIPPED_SCENARIOS as readonly string[]).includes(name);
  const agentFor = (name: string | undefined): Agent => {
    if (name === 'parrot') return new ParrotAgent();
    if (name !== undefined) return new ScenarioAgent(resolveScenario(name, registered));
    return defaultScenario ? new ScenarioAgent(defaultScenario) : new ParrotAgent();
  };

  let closing: Promise<void> | undefined;

  /** A new session with the call's agent, dialect, early faults and the maximum-duration timer. */
  const createSession = (
    config: RealtimeSession,
    call: CallOptions,
    transport: SessionTransport,
    audioDelivery: AudioDelivery,
    onClose: () => void,
  ): SimSession => {
    const session = new SimSession({
      config,
      agent: agentFor(call.scenario),
      transport,
      logger,
      generationSpeed,
      audioDelivery,
      ...(call.beta ? { dialect: new BetaDialect(call.betaTemperature) } : {}),
      onClose,
    });
    installEarlyFaults(session, call.faults);
    session.timers.set(() => {
      session.emitError({
        type: 'invalid_request_error',
        code: 'session_expired',
        message: 'Your session hit the maximum duration of 60 minutes.',
        param: null,
      });
      session.close('session_expired');
    }, options.maxSessionMs ?? 3_600_000);
    return session;
  };

  const startCall = async (offerSdp: string, config: RealtimeSession, call: CallOptions) => {
    if (closing) throw new SimError('closed', 'The sim is closing.');
    const callId = newRtcCallId();
    let peer: CallPeer | undefined;
    const transport: SessionTransport = { send: (text) => peer?.send(text), close: () => peer?.close() };
    /** Closes the `ice=blackhole` socket or the relay, when there is one. */
    let releaseMedia: (() => void) | undefined;
    /** Makes the relay drop everything (`ice=cut_after`). */
    let cutMedia: (() => void) | undefined;
    /** Media through the relay: for the network delay, or to cut it later. */
    const relayed = delayMs > 0 || call.faults.iceCutAfterMs !== undefined;
    const session = createSession(config, call, transport, 'track', () => {
      calls.delete(callId);
      releaseMedia?.();
    });
    settingUp.add(session);
    try {
      const answer = (offer: string, handlers: PeerHandlers, peerOptions: PeerOptions): Promise<CallPeer> =>
        hosts
          ? RemotePeer.answer(offer, handlers, {
              ...peerOptions,
              pool: hosts,
              ...(call.faults.rtcCrashAfterMs !== undefined && { crashAfterMs: call.faults.rtcCrashAfterMs }),
            })
          : SimPeer.answer(offer, handlers, peerOptions);
      peer = await answer(
        // Behind the relay the browser is only reached through it: its own candidates are dropped.
        relayed ? withoutCandidates(offerSdp) : offerSdp,
        {
          open: () => {
            session.open();
            installSessionFaults(
              { session, sendRaw: (text) => peer?.send(text), closeChannel: () => peer?.closeChannel(), cutMedia: () => cutMedia?.() },
              call.faults,
            );
          },
          message: (text) => handleClientMessage(session, text, transport),
          audio: (samples) => session.pushAudio(samples),
          gone: (reason) => session.close(reason),
          pull: () => session.output.nextFrame(),
        },
        {
          iceAddress,
          clock,
          logger,
          ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
          ...(options.disconnectGraceMs !== undefined ? { disconnectGraceMs: options.disconnectGraceMs } : {}),
        },
      );
    } catch (error) {
      session.close('setup_failed');
      throw error;
    } finally {
      settingUp.delete(session);
    }
    if (session.closed) {
      // The sim was closed while this answer was being prepared.
      peer.close();
      throw new SimError('closed', 'The sim is closing.');
    }
    let answerSdp = peer.answerSdp;
    if (call.faults.ice === 'blackhole' || relayed) {
      const hole = call.faults.ice === 'blackhole' ? await blackholeCandidates(answerSdp) : await relayCandidates(answerSdp, delayMs);
      answerSdp = hole.sdp;
      releaseMedia = hole.close;
      if ('cut' in hole) cutMedia = hole.cut;
      if (session.closed) {
        hole.close();
        peer.close();
        throw new SimError('closed', 'The sim is closing.');
      }
    }
    calls.set(callId, { session, peer });
    sessionsTotal += 1;
    logger.info('call started', { call: callId, session: session.id, scenario: call.scenario ?? defaultScenario?.name ?? 'parrot' });
    return { callId, answerSdp };
  };

  const ctx: SimContext = {
    keys,
    logger,
    globalFaults,
    faultUses: new Map(),
    timers,
    startCall,
    warmRtc: () => hosts?.warm(),
    startSocketSession: (ws, config, call) => {
      if (closing) {
        ws.close(CLOSE_CODES.goingAway, 'rtvoice-sim is closing');
        return;
      }
      const transport = socketTransport(ws);
      const session = createSession(config, call, transport, 'events', () => socketSessions.delete(session));
      socketSessions.add(session);
      sessionsTotal += 1;
      logger.info('websocket session started', { session: session.id, scenario: call.scenario ?? defaultScenario?.name ?? 'parrot' });
      runSocketSession(ws, session, transport, call.faults, logger);
    },
    callSession: (callId) => {
      const session = calls.get(callId)?.session;
      return session && !session.closed ? session : undefined;
    },
    hangup: (callId) => {
      const call = calls.get(callId);
      call?.session.close('hangup');
      return call !== undefined;
    },
    hasScenario,
    health: () => ({ status: 'ok', uptime_s: Math.round((Date.now() - started) / 1000), ...stats() }),
  };

  const server: Server = createServer(createRouter(ctx, { sessions: handleBetaSessions }));
  const upgrades = createUpgradeHandler(ctx);
  server.on('upgrade', upgrades.handle);
  // Keep idle connections open long enough for a token server's connection pool
  // (close() drops them all anyway).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(new SimError('listen_failed', `Could not listen on ${host}:${port}.`, { cause })));
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const directUrl = `http://${urlHost}:${bound}`;
  const front = delayMs > 0 ? await startTcpDelay({ target: { host, port: bound }, delayMs, host }) : undefined;
  const url = front ? `http://${urlHost}:${front.port}` : directUrl;
  logger.info('listening', { url, ...(front && { directUrl, networkDelayMs: delayMs }) });

  return {
    url,
    directUrl,
    port: front?.port ?? bound,
    stats,
    close: () => {
      closing ??= (async () => {
        for (const session of [...settingUp]) session.close('server_closed');
        for (const call of [...calls.values()]) call.session.close('server_closed');
        calls.clear();
        for (const session of [...socketSessions]) session.close('server_closed');
        socketSessions.clear();
        await front?.close();
        await upgrades.close();
        await hosts?.close();
        timers.close();
        clock.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
