/**
 * `@rtvoice/widget`: the `<rtvoice-widget>` web component. Importing this entry
 * registers nothing; call {@link defineRtvoiceWidget} or import
 * `@rtvoice/widget/define`.
 */
export { createWidgetClass } from './element.js';
export { defineRtvoiceWidget } from './define-widget.js';
