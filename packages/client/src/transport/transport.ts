import type { RtvoiceError } from '../errors.js';

/**
 * Where a transport is in its life: `idle` before `connect()`, `connecting`
 * while negotiating, `open` once events can be sent, `closed` afterwards
 * (for good: a transport is used for one connection only).
 */
export type TransportState = 'idle' | 'connecting' | 'open' | 'closed';

/** What a transport needs to open a Realtime connection. */
export interface TransportConnectParams {
  /** The Realtime calls URL the SDP offer is POSTed to (from the token endpoint). */
  callsUrl: string;
  /** The short-lived key that authorizes the call. Never logged. */
  ephemeralKey: string;
  /**
   * The microphone track to send, or `null` to open the connection with an
   * audio transceiver that sends nothing yet (`setMic()` attaches one later,
   * without renegotiation). The transport never stops it: its owner does.
   */
  mic: MediaStreamTrack | null;
  /**
   * Without a key (`ephemeralKey` empty: the app's own call endpoint takes the offer), the
   * headers and credentials mode of the app's requests.
   */
  request?: { headers?: Record<string, string>; credentials?: RequestCredentials };
}

/** Events a transport emits. One payload per event. */
export interface TransportEvents {
  /** One text frame from the server. */
  message: [data: string];
  /** The server's audio track arrived. */
  remoteTrack: [track: MediaStreamTrack, stream: MediaStream];
  /** The connection ended by itself (not through `close()`); `reason` says why. */
  closed: [reason: RtvoiceError];
}

/**
 * The seam between session logic and the network. A transport knows SDP, ICE,
 * the peer connection and the data channel; it knows nothing of transcripts,
 * tools or session config. The session is tested against a fake transport; the
 * WebRTC transport is tested against the sim.
 */
export interface Transport {
  /** Current state; see {@link TransportState}. */
  readonly state: TransportState;
  /**
   * Optional: while `connect()` is pending, what it waits for, in words
   * (`"the SDP answer"`, `"ICE…"`): put in the message of a connect timeout.
   */
  readonly waitingFor?: string | undefined;
  /**
   * Opens the connection. Resolves when events can be sent; rejects with an
   * `RtvoiceError` (`aborted` when `signal` aborts) after releasing everything
   * it opened.
   */
  connect(params: TransportConnectParams, signal: AbortSignal): Promise<void>;
  /**
   * Optional: does the local part of `connect()` ahead (peer connection, data
   * channel, transceiver and SDP offer), so that `connect()` with the same mic
   * costs only the network. No network traffic.
   */
  prepare?(mic: MediaStreamTrack | null, signal: AbortSignal): Promise<void>;
  /** Replaces the microphone track being sent (`null`: send nothing), without renegotiation. */
  setMic(track: MediaStreamTrack | null): Promise<void>;

  /** Sends one JSON text frame. Throws `invalid_state` unless `open`. */
  send(data: string): void;
  /**
   * Closes the connection and releases what the transport opened. Idempotent.
   * May return a promise that resolves once the release is complete (an audio
   * context closed, which takes a moment); it never rejects.
   */
  close(): void | Promise<void>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof TransportEvents>(type: K, listener: (...args: TransportEvents[K]) => void): () => void;
}

/** Creates a fresh transport for each connection attempt. */
export type TransportFactory = () => Transport;
