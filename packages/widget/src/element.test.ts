// @vitest-environment happy-dom
import { getByRole } from '@testing-library/dom';
import { describe, expect, it, vi } from 'vitest';
import { defineRtvoiceWidget } from './define-widget.js';

describe('<rtvoice-widget>', () => {
  it('registers once and renders an accessible start button and status', () => {
    const first = defineRtvoiceWidget();
    expect(defineRtvoiceWidget()).toBe(first);
    const widget = document.createElement('rtvoice-widget');
    widget.setAttribute('token-url', '/api/token');
    document.body.append(widget);
    const root = widget.shadowRoot as unknown as HTMLElement;
    expect(getByRole(root, 'button', { name: 'Start talking' })).toBeTruthy();
    expect(getByRole(root, 'status').textContent).toBe('Ready');
    widget.remove();
  });

  it('shows the typed error when the token endpoint fails, and releases the mic', async () => {
    const track = { kind: 'audio', readyState: 'live', stop: vi.fn() };
    Object.defineProperty(navigator, 'mediaDevices', {
      value: { getUserMedia: vi.fn(async () => ({ getAudioTracks: () => [track] })) },
      configurable: true,
    });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { code: 'upstream_unavailable', message: 'down' } }), { status: 502 })));
    defineRtvoiceWidget();
    const widget = document.createElement('rtvoice-widget');
    widget.setAttribute('token-url', '/api/token');
    document.body.append(widget);
    const errors: string[] = [];
    widget.addEventListener('rtvoice-error', (e) => errors.push((e as CustomEvent<{ code: string }>).detail.code));
    const root = widget.shadowRoot as unknown as HTMLElement;
    getByRole(root, 'button').click();
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    expect(errors).toEqual(['token_fetch_failed']);
    expect(getByRole(root, 'alert').textContent).toContain('502');
    await expect.poll(() => track.stop.mock.calls.length).toBe(1);
    vi.unstubAllGlobals();
    expect(getByRole(root, 'status').textContent).toBe('Failed');
    widget.remove();
  });
});
