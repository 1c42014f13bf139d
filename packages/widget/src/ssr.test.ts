import { describe, expect, it } from 'vitest';

describe('@rtvoice/widget without a DOM (server-side rendering)', () => {
  it('imports without evaluating HTMLElement and registers nothing', async () => {
    expect(typeof HTMLElement).toBe('undefined');
    const mod = await import('./index.js');
    expect(Object.keys(mod).sort()).toEqual(['createWidgetClass', 'defineRtvoiceWidget']);
  });
});
