import type * as Wrtc from '@roamhq/wrtc';
import { SimError } from '../errors.js';

/** The `@roamhq/wrtc` module. */
export type WrtcModule = typeof Wrtc;

let loading: Promise<WrtcModule> | undefined;

/**
 * Loads the native WebRTC binding on first use (not at import time, so
 * importing `@rtvoice/sim` has no side effects).
 */
export function loadWrtc(): Promise<WrtcModule> {
  loading ??= import('@roamhq/wrtc').then(
    (mod) => ((mod as { default?: WrtcModule }).default ?? mod) as WrtcModule,
    (cause: unknown) => {
      loading = undefined;
      throw new SimError('rtc_unavailable', 'Could not load @roamhq/wrtc.', { cause });
    },
  );
  return loading;
}
