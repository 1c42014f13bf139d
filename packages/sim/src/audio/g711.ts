/**
 * G.711 (ITU-T) µ-law and A-law, the `audio/pcmu` and `audio/pcma` formats of
 * a Realtime session: one byte per sample at 8 kHz. Decoding serves
 * `input_audio_buffer.append`; encoding serves `response.output_audio.delta`
 * on a WebSocket session. The tables follow the reference implementation
 * (Sun Microsystems' public-domain `g711.c`).
 */

/** Which G.711 companding law. */
export type G711Law = 'ulaw' | 'alaw';

/** Decodes G.711 bytes to s16 samples (same rate, one sample per byte). */
export function decodeG711(bytes: Uint8Array, law: G711Law): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    out[i] = law === 'ulaw' ? ulawToLinear(b) : alawToLinear(b);
  }
  return out;
}

/** Encodes s16 samples to G.711 bytes (same rate, one byte per sample). */
export function encodeG711(samples: Int16Array, law: G711Law): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    out[i] = law === 'ulaw' ? linearToUlaw(s) : linearToAlaw(s);
  }
  return out;
}

/** One µ-law byte to a linear s16 sample. */
export function ulawToLinear(value: number): number {
  const u = ~value & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** One A-law byte to a linear s16 sample. */
export function alawToLinear(value: number): number {
  const a = value ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

const ULAW_SEGMENT_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ALAW_SEGMENT_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
/** µ-law bias (0x84) in the 14-bit domain the encoder works in. */
const ULAW_BIAS = 0x84 >> 2;
/** Largest 14-bit magnitude µ-law encodes. */
const ULAW_CLIP = 8159;

/** One linear s16 sample to a µ-law byte. */
export function linearToUlaw(sample: number): number {
  let pcm = sample >> 2;
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  pcm = Math.min(pcm, ULAW_CLIP) + ULAW_BIAS;
  const seg = segment(pcm, ULAW_SEGMENT_END);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0x0f)) ^ mask;
}

/** One linear s16 sample to an A-law byte. */
export function linearToAlaw(sample: number): number {
  let pcm = sample >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segment(pcm, ALAW_SEGMENT_END);
  if (seg >= 8) return 0x7f ^ mask;
  const quant = seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f;
  return ((seg << 4) | quant) ^ mask;
}

function segment(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= (ends[i] ?? 0)) return i;
  return ends.length;
}
