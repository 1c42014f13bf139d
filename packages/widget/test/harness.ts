/*
 * Shared set-up for the widget's component tests (happy-dom). The microphone is
 * a fake getUserMedia, the server a FakeTransport from @rtvoice/client/testing
 * (one per call), given to the widget through its `options` property.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { FakeTransport } from '@rtvoice/client/testing';
import type { VoiceSessionOptions } from '@rtvoice/client';
import { defineRtvoiceWidget } from '../src/define-widget.js';
import type { RtvoiceWidgetElement } from '../src/element.js';
import type { RtvoiceWidgetEventMap } from '../src/events.js';

/** The `detail` of every widget event, by type, in order. */
export type RecordedEvents = { [K in keyof RtvoiceWidgetEventMap]: Array<RtvoiceWidgetEventMap[K]['detail']> };

export class FakeTrack extends EventTarget {
  readonly kind = 'audio';
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  stop(): void {
    this.readyState = 'ended';
  }
}

export interface Mounted {
  widget: RtvoiceWidgetElement;
  root: HTMLElement;
  transports: FakeTransport[];
  readonly fake: FakeTransport;
  tracks: FakeTrack[];
  events: RecordedEvents;
  getToken: ReturnType<typeof vi.fn>;
}

let mounted: RtvoiceWidgetElement[] = [];

/** Installs the fake microphone for each test and removes the widgets afterwards. */
export function useWidgetEnvironment(): () => FakeTrack[] {
  let tracks: FakeTrack[] = [];
  beforeEach(() => {
    tracks = [];
    Object.defineProperty(navigator, 'mediaDevices', {
      value: {
        getUserMedia: vi.fn(async () => {
          const t = new FakeTrack();
          tracks.push(t);
          return { getAudioTracks: () => [t], getTracks: () => [t] };
        }),
        enumerateDevices: vi.fn(async () => []),
        addEventListener: vi.fn(),
        removeEventListener: vi.fn(),
      },
      configurable: true,
    });
  });
  afterEach(async () => {
    for (const w of mounted) {
      await w.end();
      w.remove();
    }
    mounted = [];
    vi.unstubAllGlobals();
  });
  return () => tracks;
}

/**
 * Mounts `<rtvoice-widget>` with `attributes`, scripted by FakeTransports (the
 * server) unless `options` says otherwise, and records its DOM events.
 */
export function mount(attributes: Record<string, string> = {}, options: Partial<VoiceSessionOptions> = {}, fakeOptions: ConstructorParameters<typeof FakeTransport>[0] = {}): Mounted {
  defineRtvoiceWidget();
  const widget = document.createElement('rtvoice-widget') as RtvoiceWidgetElement;
  for (const [k, v] of Object.entries(attributes)) widget.setAttribute(k, v);
  const transports: FakeTransport[] = [];
  const getToken = vi.fn(async () => ({ value: 'ek_test', callsUrl: 'https://rt.test/v1/realtime/calls' }));
  const audioElement = { autoplay: false, srcObject: null, play: vi.fn(async () => undefined), pause: vi.fn(), remove: vi.fn() };
  widget.options = {
    ...(!('token-url' in attributes) && !('call-url' in attributes) && { getToken }),
    transport: () => {
      const t = new FakeTransport(fakeOptions);
      transports.push(t);
      return t;
    },
    audioElement: audioElement as unknown as HTMLAudioElement,
    logLevel: 'silent',
    ...options,
  };
  const events: RecordedEvents = { 'rtvoice-state': [], 'rtvoice-transcript': [], 'rtvoice-tool': [], 'rtvoice-error': [] };
  for (const type of Object.keys(events) as Array<keyof RecordedEvents>) document.addEventListener(type, (e) => {
    if (e.target === widget) (events[type] as unknown[]).push((e as CustomEvent).detail);
  });
  document.body.append(widget);
  mounted.push(widget);
  return {
    widget,
    root: widget.shadowRoot as unknown as HTMLElement,
    transports,
    get fake() {
      const t = transports.at(-1);
      if (!t) throw new Error('no call was started');
      return t;
    },
    tracks: [],
    events,
    getToken,
  };
}

/** Lets queued promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}
