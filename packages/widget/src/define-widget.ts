import { createWidgetClass } from './element.js';

/**
 * Registers the widget under `name` (default `rtvoice-widget`) unless that name
 * is already taken, e.g. by a second copy of the library on the page. Returns
 * the registered constructor.
 *
 * @example
 * ```ts
 * import { defineRtvoiceWidget } from '@rtvoice/widget';
 * defineRtvoiceWidget();
 * document.body.insertAdjacentHTML('beforeend', '<rtvoice-widget token-url="/api/token"></rtvoice-widget>');
 * ```
 */
export function defineRtvoiceWidget(name = 'rtvoice-widget'): CustomElementConstructor {
  const existing = customElements.get(name);
  if (existing) return existing;
  const widget = createWidgetClass();
  customElements.define(name, widget);
  return widget;
}
