/**
 * `@rtvoice/client`: a browser voice-agent client for OpenAI-Realtime-compatible
 * endpoints over WebRTC or a WebSocket. Importing it has no side effects.
 */

// Session
export { VoiceSession } from './session/voice-session.js';
export type { ConnectOptions, PrepareOptions } from './session/connection.js';
export type {
  VoiceSessionOptions,
  TokenRequestOptions,
  ReconnectOptions,
  ToolAckOptions,
  BudgetOptions,
} from './options.js';
export type { ConnectionState } from './state.js';

// Tools
export type { ToolDefinition, ToolContext } from './tools/types.js';
export type { ToolCallEvent, ToolResultEvent, ToolErrorEvent } from './tools/tool-runner.js';

// History, turns, usage, metrics
export type { HistoryItem, HistoryMessage, HistoryToolCall } from './session/history.js';
export type { InterruptedEvent, Speaker } from './session/turns.js';
export { DEFAULT_PRICES } from './session/usage.js';
export type { UsageTotals, ModelPrices } from './session/usage.js';
export type { ConnectMetrics, TurnMetrics, SessionMetrics } from './session/metrics.js';

// Events
export type {
  ClientEvents,
  StateChangeEvent,
  TranscriptEvent,
  SpeechEvent,
  AgentAudioEvent,
  ResponseDoneEvent,
  HistoryChangeEvent,
  SpeakingEvent,
} from './events.js';
export type { AudioLevels } from './audio/level-meter.js';
export type { AudioDevices } from './audio/devices.js';
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
  RealtimeItem,
  RealtimeResponse,
  DecodeResult,
} from './protocol/server-events.js';
export type { ClientEvent, SessionConfig, ResponseOptions } from './protocol/client-events.js';

// Tokens
export { OPENAI_CALLS_URL } from './token/token-source.js';
export type { EphemeralToken, TokenProvider } from './token/token-source.js';

// Transport
export { WebRtcTransport } from './transport/webrtc-transport.js';
export type { WebRtcTransportOptions, WebRtcTimings } from './transport/webrtc-transport.js';
export { WebSocketTransport, websocketTransport, websocketUrl } from './transport/websocket-transport.js';
export type { WebSocketTransportOptions } from './transport/websocket-transport.js';
export { AutoTransport, autoTransport } from './transport/auto-transport.js';
export type { AutoTransportOptions } from './transport/auto-transport.js';
export type { Transport, TransportFactory, TransportState, TransportEvents, TransportConnectParams } from './transport/transport.js';

// Logging
export type { LogLevel, Logger } from './logger.js';
