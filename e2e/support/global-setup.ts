import { startDemoServer } from './demo-server.js';
import { makeSpeechWav } from './audio.js';
import { CONTINUOUS_WAV, SPEECH_WAV } from './paths.js';

/**
 * Generates the fake-mic WAV and starts the demo server once for the run.
 * 0.5 s of silence, about 3.5 s of speech, then 7 s of silence in which the
 * sim's parrot plays the utterance back before the loop speaks again.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  makeSpeechWav(SPEECH_WAV, 'Hello, this is a test of the voice SDK. One two three four five.', 0.5, 7);
  makeSpeechWav(CONTINUOUS_WAV, 'Testing push to talk, one two three four five six seven eight nine ten.', 0, 0.1);
  const demo = await startDemoServer();
  process.env.DEMO_URL = demo.url;
  return () => demo.stop();
}
