import { fileURLToPath } from 'node:url';

/** Scratch folder for generated audio and run state (git-ignored). */
export const TMP_DIR = fileURLToPath(new URL('../../.tmp/', import.meta.url));
/** The fake microphone input: speech followed by a long silence, looped by Chromium. */
export const SPEECH_WAV = `${TMP_DIR}speech.wav`;
/** A fake microphone that speaks almost continuously (short gaps only), for push-to-talk. */
export const CONTINUOUS_WAV = `${TMP_DIR}continuous.wav`;
/** Silence: the connect benchmark's mic, so that no speech can cut the greeting it times. */
export const SILENT_WAV = `${TMP_DIR}silent.wav`;
