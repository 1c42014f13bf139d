import { describe, expect, it } from 'vitest';
import { base62, EVENT_ID_PATTERN, newEphemeralKey, newEventId, newFunctionCallId, newItemId, newResponseId, newRtcCallId, newSessionId } from './ids.js';

describe('ids', () => {
  it('have the service\'s prefixes and lengths', () => {
    expect(newEventId()).toMatch(EVENT_ID_PATTERN);
    expect(newItemId()).toMatch(/^item_[A-Za-z0-9]{21}$/);
    expect(newResponseId()).toMatch(/^resp_[A-Za-z0-9]{21}$/);
    expect(newSessionId()).toMatch(/^sess_[A-Za-z0-9]{21}$/);
    expect(newRtcCallId()).toMatch(/^rtc_[A-Za-z0-9]{21}$/);
    expect(newFunctionCallId()).toMatch(/^call_[A-Za-z0-9]{16}$/);
    expect(newEphemeralKey()).toMatch(/^ek_[0-9a-f]{32}$/);
  });

  it('are unique and use the whole alphabet', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newEventId()));
    expect(ids.size).toBe(5000);
    const chars = new Set(base62(20_000));
    expect(chars.size).toBe(62);
  });
});
