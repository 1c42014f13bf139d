/**
 * G.711 decoding (µ-law and A-law bytes to s16), for
 * `input_audio_buffer.append` in sessions whose input format is
 * `audio/pcmu` or `audio/pcma`.
 */
export function decodeG711(bytes: Uint8Array, law: 'ulaw' | 'alaw'): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    out[i] = law === 'ulaw' ? ulawToLinear(b) : alawToLinear(b);
  }
  return out;
}

function ulawToLinear(value: number): number {
  const u = ~value & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

function alawToLinear(value: number): number {
  const a = value ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}
