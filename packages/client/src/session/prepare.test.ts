// @vitest-environment happy-dom
/*
 * prepare() (token, mic and offer ahead of the click) and prepare({ connect: true })
 * (the whole connection ahead, without the micOf()): what connect() still does
 * afterwards, what it reports, and what happens to a preparation that is not used.
 */
import { describe, expect, it, vi } from 'vitest';
import { CALLS_URL, createSession, flush, record, until, useFakeMicAndTimers } from '../../test/harness.js';
import { RtvoiceError } from '../errors.js';

const micOf = useFakeMicAndTimers();

describe('prepare()', () => {
  it('fetches the token, opens the mic and prepares the transport, then connect() only connects it', async () => {
    const h = createSession();
    const metrics = record(h.session, 'metrics');
    await h.session.prepare();
    expect(h.session.state).toBe('idle');
    expect(h.states).toEqual([]);
    expect(h.getToken).toHaveBeenCalledOnce();
    expect(micOf().getUserMedia).toHaveBeenCalledOnce();
    expect(h.factory).toHaveBeenCalledOnce();
    expect(h.fake.preparedMic).toBe(micOf().tracks[0]);
    expect(h.fake.connectParams).toBeUndefined();
    await h.session.connect();
    expect(h.getToken).toHaveBeenCalledOnce();
    expect(micOf().getUserMedia).toHaveBeenCalledOnce();
    expect(h.factory).toHaveBeenCalledOnce();
    expect(h.fake.connectParams).toEqual({ callsUrl: CALLS_URL, ephemeralKey: 'ek_test', mic: micOf().tracks[0], request: {} });
    expect(h.sequence()).toEqual(['connecting', 'connected']);
    expect(metrics).toEqual([expect.objectContaining({ kind: 'connect', prepared: 'local', reconnect: false, tokenMs: 0 })]);
  });

  it('returns the same promise while preparing, and does nothing once connected', async () => {
    const h = createSession();
    const p = h.session.prepare();
    expect(h.session.prepare()).toBe(p);
    await p;
    await h.session.connect();
    await h.session.prepare();
    expect(h.factory).toHaveBeenCalledOnce();
    expect(h.getToken).toHaveBeenCalledOnce();
  });

  it('fetches a new token at connect() when the prepared one is about to expire', async () => {
    const h = createSession();
    h.getToken.mockImplementation(async () => ({ value: 'ek_short', callsUrl: CALLS_URL, expiresAt: Math.floor(Date.now() / 1000) + 5 }));
    const metrics = record(h.session, 'metrics');
    await h.session.prepare();
    const prepared = h.fake;
    h.getToken.mockImplementation(async () => ({ value: 'ek_fresh', callsUrl: CALLS_URL }));
    await h.session.connect();
    expect(h.getToken).toHaveBeenCalledTimes(2);
    expect(prepared.closeCalls).toBe(1);
    expect(h.fake).not.toBe(prepared);
    expect(h.fake.connectParams?.ephemeralKey).toBe('ek_fresh');
    expect(metrics[0]).toMatchObject({ prepared: 'none' });
  });

  it('rejects when it fails, keeps nothing open, and connect() starts from scratch', async () => {
    const h = createSession();
    h.getToken.mockImplementationOnce(async () => {
      throw new RtvoiceError('token_fetch_failed', 'down');
    });
    await expect(h.session.prepare()).rejects.toMatchObject({ code: 'token_fetch_failed' });
    await flush();
    expect(h.session.state).toBe('idle');
    expect(h.errors).toEqual([]);
    expect(micOf().tracks[0]!.readyState).toBe('ended');
    await h.session.connect();
    expect(h.getToken).toHaveBeenCalledTimes(2);
    expect(h.fake.connectParams?.mic).toBe(micOf().tracks[1]);
  });

  it('is released by disconnect() without any state change', async () => {
    const h = createSession();
    await h.session.prepare();
    await h.session.disconnect();
    expect(h.fake.closeCalls).toBe(1);
    expect(micOf().tracks[0]!.readyState).toBe('ended');
    expect(h.states).toEqual([]);
    expect(h.session.state).toBe('idle');
  });
});

describe('prepare({ connect: true })', () => {
  it('opens the connection without the mic; connect() then only opens the mic and attaches it', async () => {
    const h = createSession({ tools: [{ name: 'ping', execute: () => 'pong' }] });
    const metrics = record(h.session, 'metrics');
    await h.session.prepare({ connect: true });
    expect(h.session.state).toBe('idle');
    expect(micOf().getUserMedia).not.toHaveBeenCalled();
    expect(h.fake.connectParams).toEqual({ callsUrl: CALLS_URL, ephemeralKey: 'ek_test', mic: null, request: {} });
    expect(h.fake.sentOfType('session.update')).toHaveLength(1);
    await h.session.connect();
    expect(h.sequence()).toEqual(['connecting', 'connected']);
    expect(micOf().getUserMedia).toHaveBeenCalledOnce();
    expect(h.fake.micChanges).toEqual([micOf().tracks[0]]);
    expect(h.factory).toHaveBeenCalledOnce();
    expect(h.getToken).toHaveBeenCalledOnce();
    expect(h.fake.sentOfType('session.update')).toHaveLength(1);
    expect(metrics).toEqual([expect.objectContaining({ kind: 'connect', prepared: 'connection', reconnect: false, tokenMs: 0, offerMs: 0, sdpMs: 0 })]);
    expect(h.session.metrics.connect?.prepared).toBe('connection');
    // The connection works.
    h.fake.toolCall('ping');
    await flush();
    expect(h.fake.sentOfType('conversation.item.create')).toHaveLength(1);
  });

  it('prices the usage with the model the prepared connection reported', async () => {
    const h = createSession({}, { transport: { autoSessionCreated: false } });
    const preparing = h.session.prepare({ connect: true });
    await until(() => h.transports[0]?.state === 'open');
    h.fake.receive({ type: 'session.created', session: { type: 'realtime', model: 'gpt-realtime' } });
    await preparing;
    await h.session.connect();
    h.fake.assistantTurn('Hi.');
    expect(h.session.usage.model).toBe('gpt-realtime');
    expect(h.session.usage.costUsd).toBeGreaterThan(0);
  });

  it('closes an unused connection after preparedIdleMs; connect() then opens a new one', async () => {
    const h = createSession({ preparedIdleMs: 1000 });
    await h.session.prepare({ connect: true });
    const prepared = h.fake;
    await vi.advanceTimersByTimeAsync(999);
    expect(prepared.closeCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(prepared.closeCalls).toBe(1);
    expect(h.states).toEqual([]);
    await h.session.connect();
    expect(h.factory).toHaveBeenCalledTimes(2);
    expect(h.getToken).toHaveBeenCalledTimes(2);
    expect(h.fake.connectParams?.mic).toBe(micOf().tracks[0]);
  });

  it('forgets a prepared connection that drops by itself, silently', async () => {
    const h = createSession();
    await h.session.prepare({ connect: true });
    const prepared = h.fake;
    prepared.drop();
    expect(h.states).toEqual([]);
    expect(h.errors).toEqual([]);
    await h.session.connect();
    expect(h.factory).toHaveBeenCalledTimes(2);
    expect(h.sequence()).toEqual(['connecting', 'connected']);
  });

  it('replaces a local preparation', async () => {
    const h = createSession();
    await h.session.prepare();
    const local = h.fake;
    await h.session.prepare({ connect: true });
    expect(local.closeCalls).toBe(1);
    expect(micOf().tracks[0]!.readyState).toBe('ended');
    expect(h.fake).not.toBe(local);
    expect(h.fake.connectParams?.mic).toBeNull();
    // A later plain prepare() keeps the better preparation.
    await h.session.prepare();
    expect(h.factory).toHaveBeenCalledTimes(2);
  });
});
