// @vitest-environment happy-dom
/*
 * Push-to-talk (PROTOCOL.md §7.4) and mute: what goes on the wire, in order,
 * and whether the microphone sends (track `enabled` for a mic rtvoice opened,
 * `setMic()` on the transport for a stream the app passed in).
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeTrack, createSession, record, until, useFakeMicAndTimers } from '../../test/harness.js';
import type { VoiceSessionOptions } from '../options.js';

const CREATE = { type: 'response.create', event_id: expect.stringMatching(/^rtv_response_\d+$/) };
const CANCEL = { type: 'response.cancel', event_id: expect.stringMatching(/^rtv_cancel_\d+$/) };

const micOf = useFakeMicAndTimers();

async function live(options: Partial<VoiceSessionOptions> = {}) {
  const h = createSession(options);
  await h.session.connect();
  return Object.assign(h, { speaking: record(h.session, 'speaking'), interrupted: record(h.session, 'interrupted') });
}

describe('push-to-talk', () => {
  it('with the pushToTalk option: turn detection off at connect, mic silent until pressed', async () => {
    const h = await live({ pushToTalk: true, session: { audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' } } } } });
    expect(h.fake.sent).toEqual([
      { type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' }, turn_detection: null } } } },
    ]);
    expect(h.session.pushToTalk).toBe(true);
    expect(micOf().tracks[0]!.enabled).toBe(false);
  });

  it('press: clears the input buffer and opens the mic; release: closes it, commits and asks for the answer', async () => {
    const h = await live({ pushToTalk: true });
    h.fake.sent.length = 0;
    h.session.startTalking();
    expect(h.fake.sent).toEqual([{ type: 'input_audio_buffer.clear' }]);
    expect(micOf().tracks[0]!.enabled).toBe(true);
    expect(h.session.speaking).toBe('user');
    h.session.startTalking(); // held: nothing more
    expect(h.fake.sent).toHaveLength(1);
    vi.advanceTimersByTime(500); // held for half a second
    h.session.stopTalking();
    expect(h.fake.sent).toEqual([{ type: 'input_audio_buffer.clear' }, { type: 'input_audio_buffer.commit' }, CREATE]);
    expect(micOf().tracks[0]!.enabled).toBe(false);
    h.session.stopTalking(); // released: nothing more
    expect(h.fake.sent).toHaveLength(3);
    expect(h.speaking).toEqual([{ who: 'user' }, { who: 'none' }]);
  });

  it('with the pushToTalk option, the mic is already silent when the connection opens (the server hears nothing before the first press)', async () => {
    const h = createSession({ pushToTalk: true }, { transport: { manualOpen: true } });
    const pending = h.session.connect();
    await until(() => h.transports[0]?.connectParams !== undefined);
    expect(h.fake.connectParams!.mic).toBe(micOf().tracks[0]);
    expect(micOf().tracks[0]!.enabled).toBe(false);
    h.fake.open();
    await pending;
  });

  it('emits muteChange when mute() or unmute() change something, and only then', async () => {
    const h = await live();
    const changes = record(h.session, 'muteChange');
    h.session.mute();
    h.session.mute();
    h.session.unmute();
    expect(changes).toEqual([{ muted: true }, { muted: false }]);
  });

  it('a tap (held under 150 ms) is no turn: the input is cleared, nothing is committed or asked', async () => {
    const h = await live({ pushToTalk: true });
    h.fake.sent.length = 0;
    h.session.startTalking();
    vi.advanceTimersByTime(100);
    h.session.stopTalking();
    expect(h.fake.sent).toEqual([{ type: 'input_audio_buffer.clear' }, { type: 'input_audio_buffer.clear' }]);
    expect(micOf().tracks[0]!.enabled).toBe(false);
    expect(h.session.speaking).toBe('none');
  });

  it('switches turn detection off with the first press only, when not configured', async () => {
    const h = await live();
    h.fake.sent.length = 0;
    expect(h.session.pushToTalk).toBe(false);
    expect(micOf().tracks[0]!.enabled).toBe(true);
    h.session.startTalking();
    expect(h.fake.sent).toEqual([
      { type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } },
      { type: 'input_audio_buffer.clear' },
    ]);
    expect(h.session.pushToTalk).toBe(true);
    vi.advanceTimersByTime(500); // held for half a second
    h.session.stopTalking();
    expect(micOf().tracks[0]!.enabled).toBe(false);
    h.fake.assistantTurn('Okay.');
    h.session.startTalking();
    vi.advanceTimersByTime(500); // held for half a second
    h.session.stopTalking();
    expect(h.fake.sent.map((e) => e.type)).toEqual([
      'session.update',
      'input_audio_buffer.clear',
      'input_audio_buffer.commit',
      'response.create',
      'input_audio_buffer.clear',
      'input_audio_buffer.commit',
      'response.create',
    ]);
  });

  it('press while the assistant speaks: cuts it off first (response.cancel, output_audio_buffer.clear), then clears the input', async () => {
    const h = await live({ pushToTalk: true });
    const responseId = h.fake.assistantTurn('Let me tell you a long story.', { complete: false });
    h.fake.sent.length = 0;
    h.session.startTalking();
    expect(h.fake.sent).toEqual([CANCEL, { type: 'output_audio_buffer.clear' }, { type: 'input_audio_buffer.clear' }]);
    expect(h.interrupted).toEqual([expect.objectContaining({ source: 'push-to-talk', responseId })]);
  });

  it('release while a response is still active: the answer is requested after its response.done', async () => {
    const h = await live({ pushToTalk: true });
    h.session.startTalking();
    h.fake.receive({ type: 'response.created', response: { id: 'resp_oob', status: 'in_progress', output: [] } });
    h.fake.sent.length = 0;
    vi.advanceTimersByTime(500); // held for half a second
    h.session.stopTalking();
    expect(h.fake.sent).toEqual([{ type: 'input_audio_buffer.commit' }]);
    h.fake.receive({ type: 'response.done', response: { id: 'resp_oob', status: 'completed', output: [] } });
    expect(h.fake.sent).toEqual([{ type: 'input_audio_buffer.commit' }, CREATE]);
  });

  it('keeps turn detection off after a reconnection', async () => {
    const h = await live({ reconnect: { backoffMs: 100 } });
    h.session.startTalking();
    vi.advanceTimersByTime(500); // held for half a second
    h.session.stopTalking();
    h.fake.drop();
    await vi.advanceTimersByTimeAsync(100);
    await until(() => h.session.state === 'connected');
    expect(h.fake.sentOfType('session.update')).toEqual([{ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } }]);
    expect(micOf().tracks[0]!.enabled).toBe(false);
  });

  it('needs a connected session to press; releasing when not connected does nothing', async () => {
    const h = createSession();
    expect(() => h.session.startTalking()).toThrow(expect.objectContaining({ code: 'invalid_state' }));
    expect(() => h.session.stopTalking()).not.toThrow();
  });
});

describe('mute', () => {
  it('disables the track rtvoice opened and enables it again, without client events', async () => {
    const h = await live();
    h.fake.sent.length = 0;
    h.session.mute();
    expect(h.session.muted).toBe(true);
    expect(micOf().tracks[0]!.enabled).toBe(false);
    expect(micOf().tracks[0]!.readyState).toBe('live');
    h.session.unmute();
    expect(h.session.muted).toBe(false);
    expect(micOf().tracks[0]!.enabled).toBe(true);
    expect(h.fake.sent).toEqual([]);
  });

  it('applies a mute made before connect()', async () => {
    const h = createSession();
    h.session.mute();
    await h.session.connect();
    expect(micOf().tracks[0]!.enabled).toBe(false);
    h.session.unmute();
    expect(micOf().tracks[0]!.enabled).toBe(true);
  });

  it('detaches an app-provided stream from the sender instead of touching its track', async () => {
    const track = new FakeTrack();
    const h = await live({ mediaStream: { getAudioTracks: () => [track] } as unknown as MediaStream });
    expect(h.fake.connectParams?.mic).toBe(track);
    h.session.mute();
    expect(h.fake.micChanges.at(-1)).toBeNull();
    h.session.unmute();
    expect(h.fake.micChanges.at(-1)).toBe(track);
    expect(track.enabled).toBe(true);
    expect(micOf().getUserMedia).not.toHaveBeenCalled();
  });

  it('wins over push-to-talk: a muted press sends nothing from the mic', async () => {
    const h = await live({ pushToTalk: true });
    h.session.mute();
    h.session.startTalking();
    expect(micOf().tracks[0]!.enabled).toBe(false);
    h.session.unmute();
    expect(micOf().tracks[0]!.enabled).toBe(true);
    vi.advanceTimersByTime(500); // held for half a second
    h.session.stopTalking();
    expect(micOf().tracks[0]!.enabled).toBe(false);
  });
});

describe('devices', () => {
  it('setInputDevice() switches the live mic with setMic(), stops the old track, and keeps the mute state', async () => {
    const h = await live();
    h.session.mute();
    await h.session.setInputDevice('usb-mic');
    expect(micOf().getUserMedia).toHaveBeenLastCalledWith({ audio: expect.objectContaining({ deviceId: { exact: 'usb-mic' } }) });
    const [old, current] = micOf().tracks;
    expect(h.fake.micChanges).toEqual([current]);
    expect(h.session.micTrack).toBe(current);
    expect(old!.readyState).toBe('ended');
    expect(current!.enabled).toBe(false);
    expect(h.session.state).toBe('connected');
  });

  it('setInputDevice() before connect() chooses the device connect() opens', async () => {
    const h = createSession();
    await h.session.setInputDevice('usb-mic');
    expect(micOf().getUserMedia).not.toHaveBeenCalled();
    await h.session.connect();
    expect(micOf().getUserMedia).toHaveBeenCalledWith({ audio: expect.objectContaining({ deviceId: { exact: 'usb-mic' } }) });
  });

  it('setOutputDevice() plays through the chosen output, now and on later connections', async () => {
    const h = createSession();
    await h.session.setOutputDevice('headphones');
    expect(h.element.setSinkId).not.toHaveBeenCalled();
    await h.session.connect();
    expect(h.element.setSinkId).toHaveBeenCalledWith('headphones');
    await h.session.setOutputDevice('speakers');
    expect(h.element.setSinkId).toHaveBeenLastCalledWith('speakers');
  });

  it('setOutputDevice() throws unsupported where the browser has no setSinkId', async () => {
    const proto = HTMLMediaElement.prototype as unknown as Record<string, unknown>;
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'setSinkId');
    delete proto.setSinkId;
    try {
      const h = createSession();
      await expect(h.session.setOutputDevice('x')).rejects.toMatchObject({ code: 'unsupported' });
    } finally {
      if (descriptor) Object.defineProperty(proto, 'setSinkId', descriptor);
    }
  });
});
