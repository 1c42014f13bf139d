import type { TypedEmitter } from '../emitter.js';
import { RtvoiceError } from '../errors.js';
import type { ClientEvents } from '../events.js';
import { decodeServerEvent, type KnownServerEvent } from '../protocol/server-events.js';
import { TranscriptAssembler } from './transcripts.js';

/**
 * Turns data-channel frames into the session's public events. A malformed
 * frame becomes a `malformed_event` error and nothing else is lost.
 */
export class ServerEventRouter {
  readonly #events: TypedEmitter<ClientEvents>;
  readonly #transcripts = new TranscriptAssembler();
  readonly #onSessionCreated: () => void;

  constructor(events: TypedEmitter<ClientEvents>, onSessionCreated: () => void) {
    this.#events = events;
    this.#onSessionCreated = onSessionCreated;
  }

  /** Forgets per-connection state. */
  reset(): void {
    this.#transcripts.reset();
  }

  /** Handles one text frame from the server. */
  handle(data: string): void {
    const decoded = decodeServerEvent(data);
    if (!decoded.ok) {
      this.#events.emit('error', new RtvoiceError('malformed_event', `Ignored a malformed server event: ${decoded.reason}.`));
      return;
    }
    this.#events.emit('serverEvent', decoded.event);
    if (decoded.gaType === undefined) return;
    // Route on the GA name so beta-named events take the same path.
    this.#route({ ...decoded.event, type: decoded.gaType } as KnownServerEvent);
  }

  #route(event: KnownServerEvent): void {
    const transcript = this.#transcripts.handle(event);
    if (transcript) {
      this.#events.emit('transcript', transcript);
      return;
    }
    switch (event.type) {
      case 'session.created':
        this.#onSessionCreated();
        break;
      case 'error': {
        const e = event.error;
        const code = e.code ? ` (${e.code})` : '';
        this.#events.emit('error', new RtvoiceError('server_error', `The server reported an error${code}: ${e.message}`, { serverError: e }));
        break;
      }
      case 'input_audio_buffer.speech_started':
        this.#events.emit('speechStarted', { itemId: event.item_id, audioMs: event.audio_start_ms });
        break;
      case 'input_audio_buffer.speech_stopped':
        this.#events.emit('speechStopped', { itemId: event.item_id, audioMs: event.audio_end_ms });
        break;
      case 'output_audio_buffer.started':
      case 'output_audio_buffer.stopped':
      case 'output_audio_buffer.cleared':
        this.#events.emit('agentAudio', {
          state: event.type.slice('output_audio_buffer.'.length) as 'started' | 'stopped' | 'cleared',
          responseId: event.response_id,
        });
        break;
      case 'response.done': {
        const r = event.response;
        this.#events.emit('responseDone', {
          responseId: r.id,
          status: r.status ?? 'completed',
          reason: r.status_details?.reason ?? undefined,
          usage: r.usage ?? undefined,
        });
        break;
      }
      default:
        break;
    }
  }
}
