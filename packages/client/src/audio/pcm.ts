/**
 * Audio sample codecs of the Realtime API's WebSocket audio: 16-bit
 * little-endian PCM (`audio/pcm`, 24 kHz) and G.711 µ-law / A-law
 * (`audio/pcmu`, `audio/pcma`, 8 kHz), to and from base64 and Float32 samples.
 */

/** A Realtime audio format as it appears in `audio.input.format` / `audio.output.format`. */
export interface AudioFormat {
  type: 'audio/pcm' | 'audio/pcmu' | 'audio/pcma';
  rate?: number;
}

/** The service's default format (PCM16 at 24 kHz). */
export const DEFAULT_FORMAT: AudioFormat = { type: 'audio/pcm', rate: 24000 };

/** Samples per second of a format: G.711 is 8 kHz, PCM carries its `rate` (24 kHz). */
export function formatRate(format: AudioFormat): number {
  return format.type === 'audio/pcm' ? format.rate ?? 24000 : 8000;
}

/** Reads `audio.input.format` or `audio.output.format` from a session object, when it names a known format. */
export function sessionFormat(session: Record<string, unknown> | undefined, direction: 'input' | 'output'): AudioFormat | undefined {
  const audio = session?.audio as Record<string, { format?: AudioFormat } | undefined> | undefined;
  const format = audio?.[direction]?.format;
  return format && /^audio\/pcm[ua]?$/.test(format.type) ? format : undefined;
}

/** Encodes Float32 samples (-1…1) as the format's bytes, base64. */
export function encodeAudio(samples: Float32Array, format: AudioFormat): string {
  const n = samples.length;
  const pcm = format.type === 'audio/pcm';
  const bytes = new Uint8Array(pcm ? n * 2 : n);
  for (let i = 0; i < n; i++) {
    const s = toInt16(samples[i]!);
    if (pcm) {
      bytes[2 * i] = s & 0xff;
      bytes[2 * i + 1] = (s >> 8) & 0xff;
    } else bytes[i] = format.type === 'audio/pcmu' ? linearToMulaw(s) : linearToAlaw(s);
  }
  return toBase64(bytes);
}

/** Decodes the format's base64 bytes to Float32 samples (-1…1). */
export function decodeAudio(base64: string, format: AudioFormat): Float32Array {
  const bytes = fromBase64(base64);
  if (format.type === 'audio/pcm') {
    const out = new Float32Array(bytes.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = (((bytes[2 * i + 1]! << 8) | bytes[2 * i]!) << 16 >> 16) / 32768;
    return out;
  }
  const decode = format.type === 'audio/pcmu' ? mulawToLinear : alawToLinear;
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = decode(bytes[i]!) / 32768;
  return out;
}

function toInt16(x: number): number {
  const s = Math.max(-1, Math.min(1, x));
  return Math.round(s < 0 ? s * 32768 : s * 32767);
}

const SEGMENT_ENDS_U = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const SEGMENT_ENDS_A = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(value: number, ends: number[]): number {
  let seg = 0;
  while (seg < 8 && value > ends[seg]!) seg++;
  return seg;
}

/** G.711 µ-law encoder (ITU-T G.711, as in the reference `g711.c`). */
export function linearToMulaw(sample: number): number {
  let v = sample >> 2;
  let mask = 0xff;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  v = Math.min(v, 8159) + 33;
  const seg = segment(v, SEGMENT_ENDS_U);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((v >> (seg + 1)) & 0xf)) ^ mask;
}

/** G.711 µ-law decoder. */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0xf) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** G.711 A-law encoder. */
export function linearToAlaw(sample: number): number {
  let v = sample >> 3;
  let mask = 0xd5;
  if (v < 0) {
    mask = 0x55;
    v = -v - 1;
  }
  const seg = segment(v, SEGMENT_ENDS_A);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((seg < 2 ? v >> 1 : v >> seg) & 0xf)) ^ mask;
}

/** G.711 A-law decoder. */
export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0xf) << 4;
  t = seg === 0 ? t + 8 : (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(base64: string): Uint8Array {
  const s = atob(base64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
