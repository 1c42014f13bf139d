/**
 * Test helpers for code built on `@rtvoice/client`: a fake transport that
 * plays the server in memory.
 */
export { FakeTransport } from './fake-transport.js';
export type { FakeTransportOptions } from './fake-transport.js';
