import { SPEECH_WAV } from './paths.js';

/**
 * Flags for Chromium on these machines (TOOLCHAIN.md): no background network,
 * a fake mic from a WAV, autoplay allowed, and loopback ICE candidates allowed
 * (needed inside a namespace where only `lo` exists).
 */
export function chromiumArgs(wav = SPEECH_WAV): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
    '--autoplay-policy=no-user-gesture-required',
    '--allow-loopback-in-peer-connection',
  ];
}
