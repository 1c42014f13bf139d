/**
 * Test helpers for code built on `@rtvoice/client`: a fake transport that
 * plays the server in memory, with scripted turns (`userTurn`, `assistantTurn`,
 * `toolCall`, `bargeIn`) so you can unit-test your app against a real
 * `VoiceSession`, no network and no browser WebRTC.
 */
export { FakeTransport } from './fake-transport.js';
export type { FakeTransportOptions } from './fake-transport.js';
