import { randomBytes } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random base62 string of `length` characters (rejection sampling, so every
 * character is uniformly distributed).
 */
export function base62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = nextRandomByte();
    if (byte >= 248) continue; // 248 = 62 * 4: keep the distribution uniform
    out += BASE62[byte % 62];
  }
  return out;
}

/** Random bytes are fetched 4 KiB at a time: one id per event must stay cheap. */
let pool = new Uint8Array(0);
let poolIndex = 0;

function nextRandomByte(): number {
  if (poolIndex >= pool.length) {
    pool = randomBytes(4096);
    poolIndex = 0;
  }
  return pool[poolIndex++] ?? 0;
}

/** `event_` + 21 base62 characters, as the service's server events. */
export const newEventId = (): string => `event_${base62(21)}`;
/** `item_` + 21 base62 characters. */
export const newItemId = (): string => `item_${base62(21)}`;
/** `resp_` + 21 base62 characters. */
export const newResponseId = (): string => `resp_${base62(21)}`;
/** `sess_` + 21 base62 characters. */
export const newSessionId = (): string => `sess_${base62(21)}`;
/** `conv_` + 21 base62 characters. */
export const newConversationId = (): string => `conv_${base62(21)}`;
/** `rtc_` + 21 base62 characters: the WebRTC call id returned in `Location`. */
export const newRtcCallId = (): string => `rtc_${base62(21)}`;
/** `call_` + 16 base62 characters: a function call id. */
export const newFunctionCallId = (): string => `call_${base62(16)}`;
/** `ek_` + 32 hex characters: an ephemeral client secret. */
export const newEphemeralKey = (): string => `ek_${randomBytes(16).toString('hex')}`;

/** Pattern of server `event_id`s produced by {@link newEventId}. */
export const EVENT_ID_PATTERN = /^event_[A-Za-z0-9]{21}$/;
