/** Full-scale value of signed 16-bit PCM. */
export const FULL_SCALE = 32768;

/** Root mean square of s16 samples, normalised to 0..1 of full scale. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = (samples[i] ?? 0) / FULL_SCALE;
    sum += v * v;
  }
  return Math.sqrt(sum / samples.length);
}

/** Level in dBFS of a normalised RMS value (−Infinity for digital silence). */
export function toDbfs(normalisedRms: number): number {
  return normalisedRms > 0 ? 20 * Math.log10(normalisedRms) : Number.NEGATIVE_INFINITY;
}

/**
 * Maps the Realtime API's `server_vad.threshold` (0..1, "higher needs louder
 * audio") to an energy level in dBFS: `-70 + 60 × threshold`.
 *
 * So 0 → −70 dBFS (almost anything is speech), the default 0.5 → −40 dBFS
 * (RMS ≈ 0.01: quiet room noise stays below, normal speech at −30…−12 dBFS is
 * well above) and 1 → −10 dBFS (only shouting).
 */
export function thresholdToDbfs(threshold: number): number {
  const t = Math.min(1, Math.max(0, threshold));
  return -70 + 60 * t;
}
