import { describe, expect, it } from 'vitest';
import { isSimError } from '../errors.js';
import { mergeFaults, parseFaults } from './fault-spec.js';

describe('fault syntax', () => {
  it('parses every documented fault', () => {
    expect(
      parseFaults('client_secrets=500, calls=429*2; calls=delay:800,sessions=timeout,dc=mid_response,audio=stop_after:2000,malformed=after_created,key_ttl=2'),
    ).toEqual({
      http: { client_secrets: { status: 500 }, calls: { status: 429, times: 2, delayMs: 800 }, sessions: { timeout: true } },
      dataChannel: { closeMidResponse: true },
      audio: { stopAfterMs: 2000 },
      malformed: 'after_created',
      keyTtlSeconds: 2,
    });
    expect(parseFaults('dc=after:1500,audio=stop,malformed=mid_response')).toEqual({
      dataChannel: { closeAfterMs: 1500 },
      audio: { stopAfterMs: 0 },
      malformed: 'mid_response',
    });
    expect(parseFaults('unknown=mid_response,ice=cut_after:3000')).toEqual({ unknownEvents: 'mid_response', iceCutAfterMs: 3000 });
    expect(parseFaults('rtc=crash_after:500')).toEqual({ rtcCrashAfterMs: 500 });
    expect(parseFaults('unknown=after_created,ice=blackhole')).toEqual({ unknownEvents: 'after_created', ice: 'blackhole' });
    expect(parseFaults('calls=400,calls=401')).toEqual({ http: { calls: { status: 401 } } });
    expect(parseFaults('realtime=503*2,realtime=delay:300')).toEqual({ http: { realtime: { status: 503, times: 2, delayMs: 300 } } });
    expect(parseFaults('realtime=timeout')).toEqual({ http: { realtime: { timeout: true } } });
    expect(parseFaults('')).toEqual({});
  });

  it('rejects anything else with invalid_fault', () => {
    for (const bad of ['calls', 'calls=418', 'calls=429*0', 'dc=sometimes', 'audio=loud', 'wat=1', 'key_ttl=-1', 'calls=delay:abc', 'realtime=101', 'realtime=close', 'unknown=always', 'ice=cut', 'ice=cut_after:-5', 'rtc=crash', 'rtc=crash_after:x']) {
      let caught: unknown;
      try {
        parseFaults(bad);
      } catch (e) {
        caught = e;
      }
      expect(isSimError(caught) && caught.code === 'invalid_fault').toBe(true);
    }
  });

  it('layers sources: later ones win per target', () => {
    expect(mergeFaults(parseFaults('calls=429,audio=stop'), undefined, parseFaults('calls=500'))).toEqual({
      http: { calls: { status: 500 } },
      audio: { stopAfterMs: 0 },
    });
    expect(mergeFaults(parseFaults('unknown=after_created,ice=cut_after:100'), parseFaults('unknown=mid_response'))).toEqual({
      unknownEvents: 'mid_response',
      iceCutAfterMs: 100,
    });
  });
});
