/**
 * Side-effect entry: registers `<rtvoice-widget>` when imported in a browser;
 * does nothing during server-side rendering (no `customElements`).
 * `import '@rtvoice/widget/define';`
 */
import { defineRtvoiceWidget } from './define-widget.js';
import type { RtvoiceWidgetElement } from './element.js';

defineRtvoiceWidget();

declare global {
  interface HTMLElementTagNameMap {
    'rtvoice-widget': RtvoiceWidgetElement;
  }
}

export type { RtvoiceWidgetElement };
