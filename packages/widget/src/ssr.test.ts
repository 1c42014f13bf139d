import { describe, expect, it } from 'vitest';

describe('@rtvoice/widget without a DOM (server-side rendering)', () => {
  it('imports without evaluating HTMLElement and registers nothing', async () => {
    expect(typeof HTMLElement).toBe('undefined');
    const mod = await import('./index.js');
    expect(Object.keys(mod).sort()).toEqual(['WIDGET_ATTRIBUTES', 'WIDGET_LANGUAGES', 'createWidgetClass', 'defineRtvoiceWidget', 'labelsFor']);
  });

  it('the define entry is safe to import during SSR: it registers nothing and does not throw', async () => {
    expect(typeof customElements).toBe('undefined');
    await expect(import('./define.js')).resolves.toBeDefined();
  });
});
