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

// The options of the complete session API.
new VoiceSession({
  tokenUrl: '/api/token',
  tokenRequest: { body: { voice: 'marin' }, headers: { Authorization: 'Bearer x' }, credentials: 'include' },
  tools: [{ name: 'get_time', execute: (_args: { tz: string }, { signal, callId }) => void [signal.aborted, callId] }],
  toolAck: false,
  reconnect: { maxAttempts: 2, backoffMs: (n) => n * 100 },
  budget: { maxUsd: 1, onExceeded: 'disconnect' },
});
// @ts-expect-error: the token body moved to tokenRequest.body.
new VoiceSession({ tokenUrl: '/t', tokenRequestBody: {} });
// @ts-expect-error: budget actions are a closed union.
new VoiceSession({ tokenUrl: '/t', budget: { maxUsd: 1, onExceeded: 'stop' } });

// disconnect() and prepare() resolve when done.
const closing: Promise<void> = session.disconnect();
const preparing: Promise<void> = session.prepare({ connect: true });
void [closing, preparing];

// metrics narrow by kind.
session.on('metrics', (m) => {
  if (m.kind === 'connect') {
    const prepared: 'none' | 'local' | 'connection' = m.prepared;
    const reconnect: boolean = m.reconnect;
    void [prepared, reconnect, m.offerMs, m.sdpMs];
    // @ts-expect-error: connection metrics have no turn latency.
    void m.speechToAudioMs;
  } else {
    const latency: number | undefined = m.speechToAudioMs;
    void latency;
  }
});

// Payloads of the session features.
session.on('interrupted', ({ source }) => {
  const s: 'vad' | 'manual' | 'push-to-talk' = source;
  void s;
});
session.on('speaking', ({ who }) => {
  // @ts-expect-error: speakers are user, assistant or none.
  const bad: 'model' = who;
  void bad;
});
session.on('toolError', ({ error }) => void error.code);
const costUsd: number | undefined = session.usage.costUsd;
void costUsd;
for (const item of session.history) {
  if (item.type === 'function_call') void item.callId;
  // @ts-expect-error: messages have no callId.
  else void item.callId;
}

// Transports: factories plug into `transport`; their options are checked.
import { autoTransport, websocketTransport, type AutoTransport } from '../src/index.js';
new VoiceSession({ tokenUrl: '/t', transport: websocketTransport({ workletUrl: '/rtvoice-audio-worklet.js', chunkMs: 40 }) });
new VoiceSession({ tokenUrl: '/t', transport: autoTransport({ webrtcTimeoutMs: 3000, websocket: { workletUrl: new URL('https://app.test/w.js') }, onFallback: (e) => void e.code }) });
// @ts-expect-error chunkMs is a number
websocketTransport({ chunkMs: '20' });
// @ts-expect-error the fallback reason is an RtvoiceError, not a string
autoTransport({ onFallback: (e: string) => void e });
const wsCodes: RtvoiceErrorCode[] = ['websocket_closed', 'audio_worklet_failed'];
declare const auto: AutoTransport;
const kind: 'webrtc' | 'websocket' = auto.kind;
void wsCodes;
void kind;
