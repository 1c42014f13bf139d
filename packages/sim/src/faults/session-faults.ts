import type { SimSession } from '../session/session.js';
import type { FaultSpec } from './fault-spec.js';

/** What session faults act on. */
export interface FaultTarget {
  session: SimSession;
  /** Sends a raw text frame on the data channel. */
  sendRaw(text: string): void;
  /** Closes only the data channel. */
  closeChannel(): void;
}

/** A frame that is not valid JSON, sent by the `malformed` fault. */
export const MALFORMED_FRAME = '{"type":"response.output_audio_transcript.delta","delta":"unterminated';

const RESPONSE_DELTAS = new Set([
  'response.output_audio_transcript.delta',
  'response.output_text.delta',
  'response.function_call_arguments.delta',
]);

/**
 * Faults that act before the call is answered: `audio=stop` mutes the
 * output from the very first frame.
 */
export function installEarlyFaults(session: SimSession, faults: FaultSpec): void {
  if (faults.audio?.stopAfterMs === 0) session.output.muted = true;
}

/**
 * Installs the session-level faults of a call: data-channel close (mid
 * response or after N ms), audio stop (now or after N ms), malformed frame
 * (after `session.created` or mid response). Call once the channel is open,
 * right after `session.created` was sent.
 */
export function installSessionFaults(target: FaultTarget, faults: FaultSpec): void {
  const { session } = target;
  if (faults.malformed === 'after_created') target.sendRaw(MALFORMED_FRAME);
  if (faults.audio && faults.audio.stopAfterMs > 0) {
    session.timers.set(() => {
      session.output.muted = true;
    }, faults.audio.stopAfterMs);
  }
  if (faults.dataChannel?.closeAfterMs !== undefined) {
    session.timers.set(() => target.closeChannel(), faults.dataChannel.closeAfterMs);
  }
  const midDc = faults.dataChannel?.closeMidResponse === true;
  const midMalformed = faults.malformed === 'mid_response';
  if (!midDc && !midMalformed) return;
  let fired = false;
  const previous = session.onEvent;
  session.onEvent = (event) => {
    previous?.(event);
    if (fired || !RESPONSE_DELTAS.has(String(event.type))) return;
    fired = true;
    // Let this delta go out first, then break the channel.
    queueMicrotask(() => {
      if (midMalformed) target.sendRaw(MALFORMED_FRAME);
      if (midDc) target.closeChannel();
    });
  };
}
