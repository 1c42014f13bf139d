import type { WebSocket } from 'ws';
import type { FaultSpec } from '../faults/fault-spec.js';
import type { KeyStore } from '../keys/key-store.js';
import type { SimLogger } from '../logger.js';
import type { RealtimeSession } from '../protocol/session-config.js';
import type { SimSession } from '../session/session.js';
import type { TimerBag } from '../session/timers.js';

/** Options of one new call. */
export interface CallOptions {
  faults: FaultSpec;
  scenario?: string;
  /** Speak the beta event dialect. */
  beta: boolean;
  /** Beta `temperature` from the minting request. */
  betaTemperature?: number;
}

/** What the HTTP and WebSocket-upgrade handlers need from the server. */
export interface SimContext {
  readonly keys: KeyStore;
  readonly logger: SimLogger;
  /** Faults from `startSim({faults})` / `--fault`. */
  readonly globalFaults: FaultSpec;
  /** Uses of faults limited with `*N`, keyed by source and endpoint. */
  readonly faultUses: Map<string, number>;
  /** Server-level timers (fault delays and timeouts). */
  readonly timers: TimerBag;
  /** Answers an offer and starts a session; resolves with the answer and the `rtc_…` id. */
  startCall(offerSdp: string, session: RealtimeSession, options: CallOptions): Promise<{ callId: string; answerSdp: string }>;
  /** A WebRTC call may follow (a key was minted): have an rtc host started ahead of it. */
  warmRtc(): void;
  /** Runs a new session over an accepted WebSocket (`GET /v1/realtime`, the WebSocket transport). */
  startSocketSession(ws: WebSocket, session: RealtimeSession, options: CallOptions): void;
  /** The session of a live WebRTC call (for a sideband), or undefined when unknown or ended. */
  callSession(callId: string): SimSession | undefined;
  /** Ends a call by id (`POST /v1/realtime/calls/{id}/hangup`). */
  hangup(callId: string): boolean;
  /** True when a scenario of that name can be used. */
  hasScenario(name: string): boolean;
  /** Body of `GET /health`. */
  health(): Record<string, unknown>;
}
