// @vitest-environment happy-dom
/*
 * What the connect path does to be fast on a real network: the offer is made
 * while the token and the mic are on their way, the connection to the
 * Realtime endpoint is opened ahead (preconnect), and speakFirst sends the
 * first response.create with the session configuration instead of a round
 * trip later.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CALLS_URL, createSession, deferred, flush, installMicrophone, remoteAudio, until } from '../../test/harness.js';

let mic: ReturnType<typeof installMicrophone>;
beforeEach(() => {
  mic = installMicrophone();
  document.head.innerHTML = '';
});

const hints = () => [...document.head.querySelectorAll('link[rel="preconnect"]')].map((l) => ({ href: l.getAttribute('href'), crossorigin: l.getAttribute('crossorigin') }));

describe('connect(): the offer in parallel with the token and the mic', () => {
  it('prepares the transport (no mic yet) before the token arrives, then connects it with the mic', async () => {
    const h = createSession();
    const token = deferred<{ value: string; callsUrl: string }>();
    h.getToken.mockImplementationOnce(() => token.promise);
    const pending = h.session.connect();
    await until(() => h.transports.length === 1);
    await flush();
    expect(h.fake.preparedMic).toBeNull();
    expect(h.fake.connectParams).toBeUndefined();
    token.resolve({ value: 'ek_1', callsUrl: CALLS_URL });
    await pending;
    expect(h.fake.connectParams).toMatchObject({ ephemeralKey: 'ek_1', mic: mic.tracks[0] });
    expect(h.transports).toHaveLength(1);
  });
});

describe('preconnect', () => {
  it('hints the configured Realtime origin while the token is fetched, then the last token’s, and removes the hint', async () => {
    const h = createSession({ callsUrl: 'https://api.openai.com/v1/realtime/calls' });
    const token = deferred<{ value: string; callsUrl: string }>();
    h.getToken.mockImplementationOnce(() => token.promise);
    const pending = h.session.connect();
    await flush();
    expect(hints()).toEqual([{ href: 'https://api.openai.com', crossorigin: 'anonymous' }]);
    token.resolve({ value: 'ek_1', callsUrl: 'https://realtime.example.test/v1/realtime/calls' });
    await pending;
    expect(hints()).toEqual([]);
    await h.session.disconnect();
    const next = deferred<{ value: string; callsUrl: string }>();
    h.getToken.mockImplementationOnce(() => next.promise);
    const again = h.session.connect();
    await flush();
    expect(hints()).toEqual([{ href: 'https://realtime.example.test', crossorigin: 'anonymous' }]);
    next.resolve({ value: 'ek_2', callsUrl: 'https://realtime.example.test/v1/realtime/calls' });
    await again;
    expect(hints()).toEqual([]);
  });

  it('skips a same-origin endpoint, and uses the page’s credentials mode for a call endpoint that takes cookies', async () => {
    const same = createSession({ callUrl: `${location.origin}/api/call` });
    await same.session.connect();
    expect(hints()).toEqual([]);
    await same.session.disconnect();
    const cross = createSession({ callUrl: 'https://calls.example.test/api/call', tokenRequest: { credentials: 'include' } });
    const pending = cross.session.connect();
    expect(hints()).toEqual([{ href: 'https://calls.example.test', crossorigin: 'use-credentials' }]);
    await pending;
    await cross.session.disconnect();
  });
});

describe('connect({ speakFirst })', () => {
  it('sends response.create right after session.update, before session.created, once', async () => {
    const h = createSession({ session: { instructions: 'Be brief.' } }, { transport: { autoSessionCreated: false } });
    const pending = h.session.connect({ speakFirst: { instructions: 'Greet the user.' } });
    await until(() => h.transports[0]?.state === 'open');
    expect(h.fake.sent.map((e) => e.type)).toEqual(['session.update', 'response.create']);
    expect(h.fake.sent[1]).toMatchObject({ response: { instructions: 'Greet the user.' } });
    h.fake.receive({ type: 'session.created', event_id: 'e1', session: { type: 'realtime' } });
    await pending;
    expect(h.fake.sentOfType('response.create')).toHaveLength(1);
  });

  it('on a prepared connection, asks when connect() attaches the mic, not before', async () => {
    const h = createSession();
    await h.session.prepare({ connect: true });
    expect(h.fake.sentOfType('response.create')).toHaveLength(0);
    await h.session.connect({ speakFirst: true });
    expect(h.fake.sentOfType('response.create')).toHaveLength(1);
  });

  it('without it, nothing is asked', async () => {
    const h = createSession();
    await h.session.connect();
    expect(h.fake.sentOfType('response.create')).toHaveLength(0);
  });
});

describe('the remote audio while connecting', () => {
  it('plays the track as soon as it arrives, before session.created, so the output is warm for the first words', async () => {
    const h = createSession({}, { transport: { autoSessionCreated: false } });
    const pending = h.session.connect();
    await until(() => h.transports[0]?.state === 'open');
    const { track, stream } = remoteAudio();
    h.fake.remoteTrack(track, stream);
    await flush();
    expect(h.element.srcObject).toBe(stream);
    expect(h.element.play).toHaveBeenCalled();
    h.fake.receive({ type: 'session.created', event_id: 'e1', session: { type: 'realtime' } });
    await pending;
    expect(h.errors).toEqual([]);
  });

  it('on a prepared connection, tries before the click without an error when the browser refuses, and plays at connect()', async () => {
    const h = createSession();
    h.element.play.mockRejectedValueOnce(Object.assign(new Error('no gesture'), { name: 'NotAllowedError' }));
    const preparing = h.session.prepare({ connect: true });
    await until(() => h.transports[0]?.state === 'open');
    const { track, stream } = remoteAudio();
    h.fake.remoteTrack(track, stream);
    await preparing;
    await flush();
    expect(h.element.play).toHaveBeenCalledTimes(1);
    expect(h.errors).toEqual([]);
    await h.session.connect();
    expect(h.element.play).toHaveBeenCalledTimes(2);
    expect(h.element.srcObject).toBe(stream);
    expect(h.errors).toEqual([]);
  });
});
