/*
 * Compile-time tests of the public API: every line marked @ts-expect-error must
 * fail to compile, so a loosened type fails `pnpm typecheck`.
 */
import { isServerEvent, RtvoiceError, VoiceSession, type RtvoiceErrorCode, type ServerEvent } from '../src/index.js';

const session = new VoiceSession({ tokenUrl: '/api/token' });

// Listeners are typed from the one event map.
const off: () => void = session.on('transcript', (t) => {
  const role: 'user' | 'assistant' = t.role;
  const final: boolean = t.final;
  void role;
  void final;
});
off();
session.on('stateChange', ({ state, previous }) => void [state, previous]);
session.on('error', (e) => {
  const code: RtvoiceErrorCode = e.code;
  void code;
});

// @ts-expect-error: no such event.
session.on('transcripts', () => undefined);
// @ts-expect-error: wrong payload type for the event.
session.on('speechStarted', (e: { itemId: number }) => void e);
// @ts-expect-error: error codes are a closed union.
new RtvoiceError('not_a_code', 'x');
// @ts-expect-error: options need a token source of the right type.
new VoiceSession({ tokenUrl: 42 });

// Server events narrow by GA type.
declare const event: ServerEvent;
if (isServerEvent(event, 'response.done')) {
  const id: string = event.response.id;
  void id;
}
if (isServerEvent(event, 'input_audio_buffer.speech_started')) {
  const ms: number = event.audio_start_ms;
  void ms;
  // @ts-expect-error: speech_started has no audio_end_ms.
  void event.audio_end_ms.toFixed();
}
