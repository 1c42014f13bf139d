/**
 * The script-tag bundle (`rtvoice-widget.iife.js`): registers `<rtvoice-widget>`
 * on load and exposes `window.RtvoiceWidget` (the client API and the widget
 * helpers) for pages without a bundler. Self-contained: the client is bundled
 * in. For its types: `/// <reference types="@rtvoice/widget/iife" />`.
 */
import {
  VoiceSession,
  isRtvoiceError,
  autoTransport as clientAutoTransport,
  websocketTransport as clientWebsocketTransport,
  type AutoTransportOptions,
  type TransportFactory,
  type WebSocketTransportOptions,
} from '@rtvoice/client';
import { createWidgetClass, type RtvoiceWidgetElement } from './element.js';
import { defineRtvoiceWidget } from './define-widget.js';

defineRtvoiceWidget();

/** `rtvoice-audio-worklet.js` ships next to this bundle; resolved while the script runs (currentScript is gone later). */
const script = typeof document === 'undefined' ? null : (document.currentScript as HTMLScriptElement | null);
const workletUrl = script?.src ? new URL('rtvoice-audio-worklet.js', script.src).href : undefined;

/** `websocketTransport()` with the worklet next to this bundle as its default `workletUrl`. */
function websocketTransport(options: WebSocketTransportOptions = {}): TransportFactory {
  return clientWebsocketTransport({ ...(workletUrl && { workletUrl }), ...options });
}

/** `autoTransport()` with the worklet next to this bundle as its default `workletUrl`. */
function autoTransport(options: AutoTransportOptions = {}): TransportFactory {
  return clientAutoTransport({ ...options, websocket: { ...(workletUrl && { workletUrl }), ...options.websocket } });
}

/** The type of the `RtvoiceWidget` global the script-tag bundle defines. */
export interface RtvoiceWidgetGlobal {
  VoiceSession: typeof VoiceSession;
  isRtvoiceError: typeof isRtvoiceError;
  /** WebSocket transport factory; its worklet defaults to `rtvoice-audio-worklet.js` next to the bundle. */
  websocketTransport: typeof websocketTransport;
  /** WebRTC-first transport factory with WebSocket fallback; same worklet default. */
  autoTransport: typeof autoTransport;
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

export { VoiceSession, isRtvoiceError, websocketTransport, autoTransport, createWidgetClass, defineRtvoiceWidget };
