import type { ConnectionState, RtvoiceErrorCode, TranscriptEvent } from '@rtvoice/client';
import type { WidgetActivity, WidgetState } from './widget-state.js';

/** `detail` of the `rtvoice-state` event. */
export interface WidgetStateDetail {
  /** The session's connection state. */
  state: ConnectionState;
  /** What happens in a connected call; `undefined` when not connected. */
  activity: WidgetActivity | undefined;
  /** What the widget shows (the two combined, plus `error`). */
  view: WidgetState;
}

/** `detail` of the `rtvoice-transcript` event: the client's transcript event (partial and final text). */
export type WidgetTranscriptDetail = TranscriptEvent;

/** `detail` of the `rtvoice-tool` event: a tool call, its result or its failure. */
export type WidgetToolDetail =
  | { phase: 'call'; callId: string; name: string; args: unknown }
  | { phase: 'result'; callId: string; name: string; result: unknown; durationMs: number }
  | { phase: 'error'; callId: string; name: string; code: RtvoiceErrorCode; message: string };

/**
 * `detail` of the `rtvoice-error` event: a client error code (`token_fetch_failed`,
 * `mic_permission_denied`, …) or `invalid_options` for a widget that is not
 * set up (no `token-url`), and a human message.
 */
export interface WidgetErrorDetail {
  code: RtvoiceErrorCode;
  message: string;
}

/** The widget's DOM events (composed and bubbling), for `addEventListener` typing. */
export interface RtvoiceWidgetEventMap {
  'rtvoice-state': CustomEvent<WidgetStateDetail>;
  'rtvoice-transcript': CustomEvent<WidgetTranscriptDetail>;
  'rtvoice-tool': CustomEvent<WidgetToolDetail>;
  'rtvoice-error': CustomEvent<WidgetErrorDetail>;
}
