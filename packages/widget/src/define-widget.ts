import { createWidgetClass, type RtvoiceWidgetConstructor } from './element.js';

/**
 * Registers the widget under `name` (default `rtvoice-widget`) unless that name
 * is already taken, e.g. by a second copy of the library on the page, and
 * returns the registered constructor. Does nothing (returns `undefined`)
 * where there is no `customElements`, e.g. during server-side rendering.
 *
 * @example
 * ```ts
 * import { defineRtvoiceWidget } from '@rtvoice/widget';
 * defineRtvoiceWidget();
 * document.body.insertAdjacentHTML('beforeend', '<rtvoice-widget token-url="/api/token"></rtvoice-widget>');
 * ```
 */
export function defineRtvoiceWidget(name = 'rtvoice-widget'): RtvoiceWidgetConstructor | undefined {
  if (typeof customElements === 'undefined') return undefined;
  const existing = customElements.get(name);
  if (existing) return existing as RtvoiceWidgetConstructor;
  const widget = createWidgetClass();
  customElements.define(name, widget);
  return widget;
}
