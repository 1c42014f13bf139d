/**
 * `@rtvoice/sim`: a local stand-in for the OpenAI Realtime API over real
 * WebRTC. It is not a model: answers are the user's own voice (the parrot)
 * or scripted scenarios.
 */

// Server
export { startSim } from './sim-server.js';
export type { SimOptions, SimServer, SimStats } from './sim-server.js';

// Faults
export { parseFaults } from './faults/fault-spec.js';
export type { FaultSpec, HttpFault, FaultEndpoint } from './faults/fault-spec.js';

// Audio building blocks (pure, usable in tests)
export { EnergyVad } from './audio/vad.js';
export type { VadConfig, VadEvent, VadTuning } from './audio/vad.js';
export { thresholdToDbfs, rms, toDbfs } from './audio/level.js';
export { synthesizeVoice } from './audio/synth.js';
export type { SynthOptions } from './audio/synth.js';

// Errors and logging
export { SimError, isSimError } from './errors.js';
export type { SimErrorCode } from './errors.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { SimLogger, LogLevel, LogFields } from './logger.js';
