/**
 * `@rtvoice/sim/testing`: a Node WebRTC client that talks to the sim (or any
 * Realtime-compatible endpoint) the way a browser page does. Loads wrtc on
 * first use; processes that use it must end with `process.exit()`.
 */
export { connectTestClient, TestClient } from './testing/rtc-client.js';
export type { ReceivedEvent, TestClientOptions } from './testing/rtc-client.js';
export { AudioClock } from './rtc/audio-clock.js';
export type { ClockStats, ClockedOutput } from './rtc/audio-clock.js';
export { startTcpDelay } from './netdelay/tcp-delay.js';
export type { TcpDelay, TcpDelayOptions } from './netdelay/tcp-delay.js';
