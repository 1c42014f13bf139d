/**
 * `@rtvoice/widget`: the `<rtvoice-widget>` web component. Importing this entry
 * registers nothing and touches no browser API; call {@link defineRtvoiceWidget}
 * or import `@rtvoice/widget/define`.
 */
export { createWidgetClass, WIDGET_ATTRIBUTES } from './element.js';
export type { RtvoiceWidgetElement, RtvoiceWidgetConstructor } from './element.js';
export { defineRtvoiceWidget } from './define-widget.js';
export { WIDGET_LANGUAGES, labelsFor } from './i18n.js';
export type { WidgetLabels } from './i18n.js';
export type { WidgetState, WidgetActivity } from './widget-state.js';
export type { RtvoiceWidgetEventMap, WidgetStateDetail, WidgetTranscriptDetail, WidgetToolDetail, WidgetErrorDetail } from './events.js';
