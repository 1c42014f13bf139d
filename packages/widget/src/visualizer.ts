import type { VoiceSession } from '@rtvoice/client';

/**
 * Drives the level bars: on every animation frame, the input and output
 * spectra of the session, averaged into as many bands as there are bars, set
 * as each bar's `--level` custom property through the CSSOM (allowed under a
 * strict `style-src` CSP, unlike a `style` attribute). Returns the stop
 * function, which also resets the bars.
 */
export function startVisualizer(container: HTMLElement, session: VoiceSession): () => void {
  const bars = { input: Array.from(container.querySelectorAll<HTMLElement>('.in')), output: Array.from(container.querySelectorAll<HTMLElement>('.out')) };
  const bins = new Uint8Array(32);
  let frame = 0;
  const paint = (kind: 'input' | 'output') => {
    const targets = bars[kind];
    session.getFrequencyData(kind, bins);
    const band = Math.floor(bins.length / targets.length);
    targets.forEach((bar, i) => {
      let sum = 0;
      for (let j = i * band; j < (i + 1) * band; j += 1) sum += bins[j]!;
      bar.style.setProperty('--level', (sum / band / 255).toFixed(2));
    });
  };
  const tick = () => {
    paint('input');
    paint('output');
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);
  return () => {
    cancelAnimationFrame(frame);
    for (const bar of [...bars.input, ...bars.output]) bar.style.removeProperty('--level');
  };
}
