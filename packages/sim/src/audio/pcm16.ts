/**
 * 16-bit little-endian PCM bytes, the `audio/pcm` format of a Realtime
 * session (mono, 24 kHz), independent of the host's byte order and of the
 * alignment of the buffer the bytes sit in.
 */

/** Decodes s16le bytes to samples; a trailing odd byte is ignored. */
export function decodePcm16le(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const lo = bytes[2 * i] ?? 0;
    const hi = bytes[2 * i + 1] ?? 0;
    out[i] = ((hi << 8) | lo) << 16 >> 16;
  }
  return out;
}

/** Encodes samples as s16le bytes. */
export function encodePcm16le(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    out[2 * i] = s & 0xff;
    out[2 * i + 1] = (s >> 8) & 0xff;
  }
  return out;
}
