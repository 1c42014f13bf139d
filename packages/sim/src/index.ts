/**
 * `@rtvoice/sim`: a local stand-in for the OpenAI Realtime API over real
 * WebRTC and over the WebSocket transport (with the sideband on WebRTC
 * calls). It is not a model: answers are the user's own voice (the parrot)
 * or scripted scenarios. Importing this module has no side effects; the
 * native WebRTC binding is loaded when the first call arrives.
 */

// Server
export { startSim } from './sim-server.js';
export type { SimOptions, SimServer, SimStats } from './sim-server.js';
export type { ClockStats } from './rtc/audio-clock.js';

// Scenarios
export { parseScenario, loadScenarioFile, SHIPPED_SCENARIOS } from './agent/scenario-library.js';
export type { Scenario, ScenarioStep } from './agent/scenario-schema.js';

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
