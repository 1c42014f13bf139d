/**
 * What the runtime-neutral call handler (`@rtvoice/server`) and the Node call controller
 * (`@rtvoice/server/node`) hand each other. No Node or `ws` import here.
 */
import type { RealtimeSessionConfig } from '../session.js';
import type { CallEndReason } from './events.js';

/** A function tool as declared in a session's `tools`: what the model (and the browser) sees. */
export interface FunctionToolDeclaration {
  /** Always `"function"`. */
  type: 'function';
  /** Tool name, unique in the session. */
  name: string;
  /** What the tool does, for the model. */
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

/**
 * How a controller reaches the provider for one call. Built by the call handler; it carries the
 * real key in `headers`, so it stays on the server.
 */
export interface CallUpstream {
  /** `"openai"` (and any OpenAI-compatible server, such as `@rtvoice/sim`) or `"azure"`. */
  provider: 'openai' | 'azure';
  /** The sideband WebSocket URL, `wss://…/realtime?call_id=rtc_…`. */
  sidebandUrl: string;
  /** `POST` here to end the call: `…/realtime/calls/rtc_…/hangup`. */
  hangupUrl: string;
  /** Authentication headers (`Authorization: Bearer …`, or Azure's `api-key`). */
  headers: Readonly<Record<string, string>>;
  /** Strings that must never reach a log or an event (the key). */
  secrets: readonly string[];
  /** The fetch used for the hangup. */
  fetch: typeof fetch;
  /** Upstream timeout in milliseconds (hangup, sideband handshake). */
  timeoutMs: number;
}

/** A concurrency slot held for a call (see `maxConcurrentCallsPerUser`); the controller keeps it alive and frees it. */
export interface CallSlot {
  /** The slot expires unless refreshed within this many milliseconds (so a crashed instance frees it). */
  ttlMs: number;
  /** Extends the slot by `ttlMs`; resolves false when it had already expired. */
  refresh(): Promise<boolean>;
  /** Frees the slot. Idempotent. */
  release(): Promise<void>;
}

/** One call just created by the call handler, handed to the controller. */
export interface ControlledCall {
  /** The provider's call id, `rtc_…` (from the `Location` of the `201`). */
  callId: string;
  /** The user id returned by `authorize` (not hashed), or undefined for anonymous calls. */
  userId: string | undefined;
  /** The user id as it may appear in logs (`sha256:…`), or undefined. */
  userTag: string | undefined;
  /** Client IP as resolved. */
  ip: string;
  /** The session's model (Azure: the deployment name). */
  model: string;
  /** The pinned session the call was created with (server tool declarations included). */
  session: RealtimeSessionConfig;
  /** How to reach the provider for this call. */
  upstream: CallUpstream;
  /** The concurrency slot of the call, when a cap is configured. */
  slot: CallSlot | undefined;
  /** Called when the controller decides to hang the call up, with why, before it asks the provider. */
  onHangup?: (reason: CallEndReason) => void;
}

/**
 * What `createCallHandler` needs from its `controller` option. `createCallController` from
 * `@rtvoice/server/node` implements it; the handler stays runtime-neutral.
 */
export interface CallControllerLike {
  /** Declarations of the server-side tools, added to the pinned session's `tools`. */
  readonly toolDeclarations: readonly FunctionToolDeclaration[];
  /** Checks the handler's pinned session once, at creation: a problem to report, or undefined. */
  checkSession(session: RealtimeSessionConfig): string | undefined;
  /** Takes control of a call that was just created. Never throws: failures become its events. */
  start(call: ControlledCall): void;
}
