/** A sine tone of `ms` milliseconds at `rate` Hz sampling, amplitude 0..1. */
export function tone(ms: number, amplitude: number, rate = 16_000, freq = 220): Int16Array {
  const n = Math.round((ms * rate) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * amplitude * 32767);
  return out;
}

/** Digital silence. */
export function silence(ms: number, rate = 16_000): Int16Array {
  return new Int16Array(Math.round((ms * rate) / 1000));
}

/** Concatenates PCM chunks. */
export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Splits PCM into frames of `size` samples (the last one may be shorter). */
export function frames(samples: Int16Array, size = 160): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i < samples.length; i += size) out.push(samples.subarray(i, i + size));
  return out;
}
