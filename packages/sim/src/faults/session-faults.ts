import { newEventId } from '../protocol/ids.js';
import type { SimSession } from '../session/session.js';
import type { FaultSpec } from './fault-spec.js';

/** What session faults act on. */
export interface FaultTarget {
  session: SimSession;
  /** Sends a raw text frame on the data channel. */
  sendRaw(text: string): void;
  /** Closes only the data channel. */
  closeChannel(): void;
  /** Makes the media path drop everything from now on (`ice=cut_after`); absent on a WebSocket. */
  cutMedia?: () => void;
}

/** A frame that is not valid JSON, sent by the `malformed` fault. */
export const MALFORMED_FRAME = '{"type":"response.output_audio_transcript.delta","delta":"unterminated';

/**
 * An event of a type the protocol does not define, as a newer service might
 * send (the `unknown` fault): a client must let it through and go on.
 */
export function unknownEventFrame(): string {
  return JSON.stringify({
    type: 'conversation.item.annotation.added',
    event_id: newEventId(),
    annotation: { kind: 'sim_unknown_event', note: 'A server event type this client does not know.' },
  });
}

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
 * and unknown event (after `session.created` or mid response), media cut
 * (after N ms). Call once the channel is open, right after `session.created`
 * was sent.
 */
export function installSessionFaults(target: FaultTarget, faults: FaultSpec): void {
  const { session } = target;
  if (faults.malformed === 'after_created') target.sendRaw(MALFORMED_FRAME);
  if (faults.unknownEvents === 'after_created') target.sendRaw(unknownEventFrame());
  const { cutMedia } = target;
  if (faults.iceCutAfterMs !== undefined && cutMedia) session.timers.set(cutMedia, faults.iceCutAfterMs);
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
  const midUnknown = faults.unknownEvents === 'mid_response';
  if (!midDc && !midMalformed && !midUnknown) return;
  let fired = false;
  const previous = session.onEvent;
  session.onEvent = (event) => {
    previous?.(event);
    if (fired || !RESPONSE_DELTAS.has(String(event.type))) return;
    fired = true;
    // Let this delta go out first, then break the channel.
    queueMicrotask(() => {
      if (midMalformed) target.sendRaw(MALFORMED_FRAME);
      if (midUnknown) target.sendRaw(unknownEventFrame());
      if (midDc) target.closeChannel();
    });
  };
}
