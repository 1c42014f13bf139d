/*
 * Type-checks the published .d.ts of every package as a consumer sees them
 * (through package.json "exports", with skipLibCheck off): a broken or
 * internal-leaking declaration fails `pnpm typecheck`.
 */
import type { VoiceSession, ClientEvents, RtvoiceError } from '@rtvoice/client';
import type { FakeTransport } from '@rtvoice/client/testing';
import type { createTokenHandler, TokenHandlerOptions } from '@rtvoice/server';
import type { toNodeListener } from '@rtvoice/server/node';
import type { startSim, SimOptions } from '@rtvoice/sim';
import type { defineRtvoiceWidget } from '@rtvoice/widget';

export type Published = [VoiceSession, ClientEvents, RtvoiceError, FakeTransport, typeof createTokenHandler, TokenHandlerOptions, typeof toNodeListener, typeof startSim, SimOptions, typeof defineRtvoiceWidget];

import type { RtvoiceWidgetElement, RtvoiceWidgetEventMap } from '@rtvoice/widget';
import type {} from '@rtvoice/widget/define';
import type { RtvoiceWidgetGlobal } from '@rtvoice/widget/iife';

/** The widget's element type reaches `document.querySelector`, and the IIFE's global is typed. */
export type WidgetPublished = [RtvoiceWidgetElement, RtvoiceWidgetEventMap, RtvoiceWidgetGlobal, typeof globalThis.RtvoiceWidget.VoiceSession];
export const tagged = (d: Document): RtvoiceWidgetElement | null => d.querySelector('rtvoice-widget');
