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
