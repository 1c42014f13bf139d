// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { VoiceSession } from '@rtvoice/client';
import { startVisualizer } from './visualizer.js';

describe('startVisualizer', () => {
  it('sets each bar\'s --level from the input and output spectra through the CSSOM, and resets on stop', async () => {
    const box = document.createElement('div');
    box.innerHTML = '<span class="in"></span><span class="in"></span><span class="out"></span><span class="out"></span>';
    const session = {
      getFrequencyData: vi.fn((kind: 'input' | 'output', target: Uint8Array) => {
        // Input: loud low band, silent high band; output: half level everywhere.
        for (let i = 0; i < target.length; i += 1) target[i] = kind === 'input' ? (i < target.length / 2 ? 255 : 0) : 128;
        return target;
      }),
    } as unknown as VoiceSession;
    const stop = startVisualizer(box, session);
    const levels = () => Array.from(box.children).map((b) => (b as HTMLElement).style.getPropertyValue('--level'));
    await vi.waitFor(() => expect(levels()).toEqual(['1.00', '0.00', '0.50', '0.50']));
    stop();
    expect(levels()).toEqual(['', '', '', '']);
  });
});
