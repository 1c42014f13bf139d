/**
 * The script-tag bundle: registers `<rtvoice-widget>` on load and exposes
 * `window.RtvoiceWidget` with the client API for pages without a bundler.
 */
import { VoiceSession, isRtvoiceError } from '@rtvoice/client';
import { createWidgetClass } from './element.js';
import { defineRtvoiceWidget } from './define-widget.js';

defineRtvoiceWidget();

export { VoiceSession, isRtvoiceError, createWidgetClass, defineRtvoiceWidget };
