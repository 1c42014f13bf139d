import { makeSpeechWav } from './audio.js';
import { SPEECH_WAV } from './paths.js';

/** Generates the fake-mic WAV only (for the benchmarks). */
export default function wavSetup(): void {
  makeSpeechWav(SPEECH_WAV, 'Hello, this is a test of the voice SDK. One two three four five.', 0.5, 7);
}
