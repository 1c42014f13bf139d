import { OUTPUT_SAMPLE_RATE } from './output-queue.js';

/** Shape of the synthetic voice. */
export interface SynthOptions {
  /** Fundamental frequency in Hz. */
  pitchHz?: number;
  /** Peak amplitude, 0..1 of full scale. */
  peak?: number;
  /** Speaking rate multiplier (the session's `audio.output.speed`). */
  speed?: number;
}

const MS_PER_LETTER = 65;
const WORD_GAP_MS = 70;
const PUNCT_GAP_MS = 260;
const HARMONICS = 10;
/** Formant pairs cycled per syllable (rough vowels a, e, i, o, u). */
const VOWELS: ReadonlyArray<readonly [number, number]> = [
  [730, 1090],
  [530, 1840],
  [390, 2000],
  [570, 840],
  [440, 1020],
];

/**
 * A clearly audible, voice-like signal for `text`: voiced syllables (a
 * harmonic series on a falling pitch contour, shaped by vowel formants, under
 * a raised-cosine envelope) with pauses between words and longer ones at
 * punctuation. About 65 ms per letter. Deterministic. It is not speech, but
 * it has speech's level, rhythm and spectrum, so VADs and level meters react
 * to it as they would to a voice.
 *
 * @returns 48 kHz mono s16.
 */
export function synthesizeVoice(text: string, options: SynthOptions = {}): Int16Array {
  const rate = OUTPUT_SAMPLE_RATE;
  const speed = Math.min(1.5, Math.max(0.25, options.speed ?? 1));
  const peak = (options.peak ?? 0.4) * 32767;
  const baseF0 = options.pitchHz ?? 150;
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return new Int16Array(Math.round(rate * 0.2));
  const plan: Array<{ voicedMs: number; gapMs: number }> = words.map((w) => {
    const letters = w.replace(/[^\p{L}\p{N}]/gu, '').length || 1;
    return {
      voicedMs: Math.min(700, Math.max(140, letters * MS_PER_LETTER)) / speed,
      gapMs: (/[.,;:!?]$/.test(w) ? PUNCT_GAP_MS : WORD_GAP_MS) / speed,
    };
  });
  const totalMs = plan.reduce((s, p) => s + p.voicedMs + p.gapMs, 0);
  const out = new Int16Array(Math.round((totalMs * rate) / 1000));
  let cursor = 0;
  let phase = 0;
  let syllable = 0;
  for (const [w, { voicedMs, gapMs }] of plan.entries()) {
    const n = Math.round((voicedMs * rate) / 1000);
    const syllables = Math.max(1, Math.round(voicedMs / 190));
    const perSyllable = n / syllables;
    for (let i = 0; i < n && cursor + i < out.length; i++) {
      const s = Math.min(syllables - 1, Math.floor(i / perSyllable));
      const [f1, f2] = VOWELS[(syllable + s) % VOWELS.length] ?? [600, 1200];
      const progress = (cursor + i) / out.length;
      const f0 = baseF0 * (1.12 - 0.24 * progress) * (1 + 0.02 * Math.sin((2 * Math.PI * 5 * (cursor + i)) / rate));
      phase += (2 * Math.PI * f0) / rate;
      let v = 0;
      for (let h = 1; h <= HARMONICS; h++) {
        const f = h * f0;
        const gain = formantGain(f, f1) + 0.6 * formantGain(f, f2);
        v += (gain / h) * Math.sin(h * phase);
      }
      const local = (i - s * perSyllable) / perSyllable;
      const env = 0.5 - 0.5 * Math.cos(2 * Math.PI * Math.min(1, Math.max(0, local)));
      out[cursor + i] = Math.round(Math.max(-1, Math.min(1, v * 0.55 * Math.sqrt(env))) * peak);
    }
    syllable += syllables;
    cursor += n + Math.round((gapMs * rate) / 1000);
    void w;
  }
  return out;
}

function formantGain(f: number, centre: number): number {
  const bw = 120;
  return 1 / (1 + ((f - centre) / bw) ** 2) + 0.15;
}
