/**
 * The script-tag bundle (`rtvoice-widget.iife.js`): registers `<rtvoice-widget>`
 * on load and exposes `window.RtvoiceWidget` (the client API and the widget
 * helpers) for pages without a bundler. Self-contained: the client is bundled
 * in. For its types: `/// <reference types="@rtvoice/widget/iife" />`.
 */
import { VoiceSession, isRtvoiceError } from '@rtvoice/client';
import { createWidgetClass, type RtvoiceWidgetElement } from './element.js';
import { defineRtvoiceWidget } from './define-widget.js';

defineRtvoiceWidget();

/** The type of the `RtvoiceWidget` global the script-tag bundle defines. */
export interface RtvoiceWidgetGlobal {
  VoiceSession: typeof VoiceSession;
  isRtvoiceError: typeof isRtvoiceError;
  createWidgetClass: typeof createWidgetClass;
  defineRtvoiceWidget: typeof defineRtvoiceWidget;
}

declare global {
  /** Defined by `rtvoice-widget.iife.js`. */
  var RtvoiceWidget: RtvoiceWidgetGlobal;
  interface HTMLElementTagNameMap {
    'rtvoice-widget': RtvoiceWidgetElement;
  }
}

export { VoiceSession, isRtvoiceError, createWidgetClass, defineRtvoiceWidget };
