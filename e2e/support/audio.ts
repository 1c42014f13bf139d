import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';

/**
 * Speaks `text` with espeak-ng and converts it with sox to 48 kHz mono s16,
 * with `leadSilence` seconds before and `tailSilence` after. Chromium loops the
 * file, so the tail is the gap in which the agent answers.
 */
export function makeSpeechWav(path: string, text: string, leadSilence: number, tailSilence: number): void {
  const dir = path.slice(0, path.lastIndexOf('/'));
  mkdirSync(dir, { recursive: true });
  const raw = `${path}.raw.wav`;
  execFileSync('espeak-ng', ['-w', raw, text]);
  execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', path, 'pad', String(leadSilence), String(tailSilence)]);
  rmSync(raw);
  if (!existsSync(path)) throw new Error(`could not create ${path}`);
}

/** `seconds` of silence at 48 kHz mono s16 (sox): a fake mic that never starts a turn. */
export function makeSilentWav(path: string, seconds: number): void {
  mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true });
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', path, 'trim', '0', String(seconds)]);
  if (!existsSync(path)) throw new Error(`could not create ${path}`);
}

/** Duration of a WAV in seconds, as sox measures it. */
export function wavSeconds(path: string): number {
  return Number(execFileSync('soxi', ['-D', path]).toString().trim());
}
