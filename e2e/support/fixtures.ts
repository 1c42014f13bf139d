import { readFileSync } from 'node:fs';
import type { HistoryItem } from './client-page.js';

/** One utterance of the fake mic is one turn: the pauses inside the sentence do not end it. */
export const VAD = { audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 600 } } } };

/** The whole answer of the `long-answer` scenario, as the sim ships it. */
export const LONG_ANSWER = (
  JSON.parse(readFileSync(new URL('../../packages/sim/scenarios/long-answer.json', import.meta.url), 'utf8')) as { turns: Array<{ steps: Array<{ say: string }> }> }
).turns[0]!.steps[0]!.say;

/** A level the sim's voice or the parrot clearly exceeds; a disabled track reads exactly 0. */
export const AUDIBLE = 0.02;
/** Below this, the output is silent. */
export const SILENT = 0.005;

/** The messages of a history. */
export const messages = (h: HistoryItem[]) => h.filter((i): i is Extract<HistoryItem, { type: 'message' }> => i.type === 'message');
