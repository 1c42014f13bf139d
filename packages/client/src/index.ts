/**
 * `@rtvoice/client`: a browser voice-agent client for OpenAI-Realtime-compatible
 * endpoints over WebRTC. Importing it has no side effects.
 */

// Session
export { VoiceSession } from './session/voice-session.js';
export type { VoiceSessionOptions } from './options.js';
export type { ConnectionState } from './state.js';

// Events
export type {
  ClientEvents,
  StateChangeEvent,
  TranscriptEvent,
  SpeechEvent,
  AgentAudioEvent,
  ResponseDoneEvent,
  ConnectMetrics,
} from './events.js';
export type { AudioLevels } from './audio/level-meter.js';
export type { MicrophoneOptions } from './audio/microphone.js';

// Errors
export { RtvoiceError, isRtvoiceError } from './errors.js';
export type { RtvoiceErrorCode, RtvoiceErrorOptions, RealtimeErrorDetail } from './errors.js';

// Protocol
export { decodeServerEvent, isServerEvent } from './protocol/server-events.js';
export type {
  ServerEvent,
  KnownServerEvent,
  KnownServerEventType,
  ServerEventOf,
  UnknownServerEvent,
  RealtimeUsage,
  DecodeResult,
} from './protocol/server-events.js';
export type { ClientEvent, SessionConfig } from './protocol/client-events.js';

// Tokens
export { OPENAI_CALLS_URL } from './token/token-source.js';
export type { EphemeralToken, TokenProvider } from './token/token-source.js';

// Transport
export { WebRtcTransport } from './transport/webrtc-transport.js';
export type { WebRtcTransportOptions } from './transport/webrtc-transport.js';
export type { Transport, TransportFactory, TransportState, TransportEvents, TransportConnectParams } from './transport/transport.js';

// Logging
export type { LogLevel, Logger } from './logger.js';
