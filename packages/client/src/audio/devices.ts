import { RtvoiceError } from '../errors.js';

/** Payload of `devicechange`, and what `listDevices()` resolves to. */
export interface AudioDevices {
  /** Microphones. Labels are empty until the page has had microphone permission. */
  inputs: MediaDeviceInfo[];
  /** Speakers and headphones (empty where the browser does not list outputs). */
  outputs: MediaDeviceInfo[];
}

/** Lists audio inputs and outputs. */
const media = (): MediaDevices | undefined => globalThis.navigator?.mediaDevices;

export async function listDevices(): Promise<AudioDevices> {
  const md = media();
  if (!md?.enumerateDevices) throw new RtvoiceError('unsupported', 'No enumerateDevices() here.');
  const all = await md.enumerateDevices();
  return { inputs: all.filter((d) => d.kind === 'audioinput'), outputs: all.filter((d) => d.kind === 'audiooutput') };
}

/** Calls `onChange` with the new lists whenever devices are plugged or unplugged; returns the unsubscribe function. */
export function watchDevices(onChange: (devices: AudioDevices) => void): () => void {
  const md = media();
  if (!md?.addEventListener) return () => undefined;
  const handler = () => void listDevices().then(onChange, () => undefined);
  md.addEventListener('devicechange', handler);
  return () => md.removeEventListener('devicechange', handler);
}
