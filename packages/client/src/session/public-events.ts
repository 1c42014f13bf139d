import type { TypedEmitter } from '../emitter.js';
import { RtvoiceError } from '../errors.js';
import type { ClientEvents } from '../events.js';
import type { SessionSignals } from './signals.js';

/**
 * Wires the public events that mirror protocol signals one to one (same
 * payloads, public names), the user's empty partial transcript at commit, and
 * server `error` events as `server_error`, except the races rtvoice resolves
 * itself.
 */
export function mirrorSignals(
  signals: TypedEmitter<SessionSignals>,
  emit: TypedEmitter<ClientEvents>['emit'],
  emitError: (error: RtvoiceError) => void,
): void {
  for (const [from, to] of [['text', 'transcript'], ['speechStarted'], ['speechStopped'], ['audio', 'agentAudio'], ['responseDone']] as const) {
    signals.on(from, ((e: never) => emit(to ?? from, e)) as never);
  }
  // The user's item exists from the commit on, before its transcription: an empty
  // partial lets a UI place the user's line before the answer that follows.
  signals.on('inputCommitted', ({ itemId }) => emit('transcript', { role: 'user', itemId, delta: '', text: '', final: false }));
  signals.on('serverError', (e) => {
    // Races the SDK resolves itself: a cancel after the server already stopped, a create during a response (re-queued).
    const ours = e.event_id?.startsWith('rtv_');
    if (ours && (e.code === 'response_cancel_not_active' || e.code === 'conversation_already_has_active_response')) return;
    const code = e.code ? ` (${e.code})` : '';
    emitError(new RtvoiceError('server_error', `Server error${code}: ${e.message}`, { serverError: e }));
  });
}
