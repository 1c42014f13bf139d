// @vitest-environment happy-dom
import { fireEvent, getByRole, queryByRole, within } from '@testing-library/dom';
import { describe, expect, it, vi } from 'vitest';
import { FakeTransport } from '@rtvoice/client/testing';
import { flush, mount, useWidgetEnvironment } from '../test/harness.js';
import { createWidgetClass, type RtvoiceWidgetElement } from './element.js';

const tracks = useWidgetEnvironment();
const status = (root: HTMLElement) => root.querySelector('[part="status"]')!.textContent;
const live = (root: HTMLElement) => root.querySelector('[aria-live]')!.textContent;
/** Holds a push-to-talk press longer than a tap (the client ignores presses under 150 ms). */
const hold = () => new Promise((r) => setTimeout(r, 200));
const button = (root: HTMLElement, name: string | RegExp) => getByRole(root, 'button', { name });

async function connected(attributes: Record<string, string> = {}, options = {}) {
  const m = mount(attributes, options);
  button(m.root, 'Start call').click();
  await expect.poll(() => m.widget.state).toBe('listening');
  return m;
}

describe('<rtvoice-widget>: idle and set-up errors', () => {
  it('a new element has no attributes (document.createElement throws otherwise, e.g. in React)', () => {
    mount();
    const fresh = document.createElement('rtvoice-widget');
    expect(fresh.attributes).toHaveLength(0);
    expect(fresh.shadowRoot!.querySelector('[part="status"]')!.textContent).toBe('Ready');
  });

  it('renders a named start button, a status and exactly one polite live region', () => {
    const { root, widget } = mount({ 'token-url': '/api/token' });
    expect(button(root, 'Start call')).toBeTruthy();
    expect(status(root)).toBe('Ready');
    expect(widget.getAttribute('data-state')).toBe('idle');
    const regions = root.querySelectorAll('[aria-live], [role="status"], [role="alert"], [role="log"]');
    expect(regions).toHaveLength(1);
    expect(regions[0]!.getAttribute('aria-live')).toBe('polite');
    // Controls of a live call are not offered yet; optional panels are off by default.
    expect(queryByRole(root, 'button', { name: 'Mute microphone' })).toBeNull();
    expect(queryByRole(root, 'list', { name: 'Conversation' })).toBeNull();
    expect(queryByRole(root, 'textbox')).toBeNull();
  });

  it('options set before the element is defined (script order) are taken over at upgrade', async () => {
    const early = document.createElement('rtvoice-late') as HTMLElement & { options: object };
    const getToken = vi.fn(async () => ({ value: 'ek_early', callsUrl: 'https://rt.test/v1/realtime/calls' }));
    early.options = { getToken, transport: () => new FakeTransport(), logLevel: 'silent' };
    document.body.append(early);
    customElements.define('rtvoice-late', createWidgetClass());
    const widget = early as unknown as RtvoiceWidgetElement;
    expect(Object.prototype.hasOwnProperty.call(widget, 'options')).toBe(false);
    expect(widget.options.getToken).toBe(getToken);
    await widget.start();
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(widget.state).toBe('listening');
    await widget.end();
    widget.remove();
  });

  it('without token-url: shows the error, fires rtvoice-error and offers a retry', async () => {
    const { root, widget, events } = mount({}, { getToken: undefined });
    button(root, 'Start call').click();
    await flush();
    expect(events['rtvoice-error']).toEqual([{ code: 'invalid_options', message: expect.stringContaining('token-url') }]);
    expect(root.querySelector('[part="error"] p')!.textContent).toMatch(/token-url attribute is missing/);
    expect(widget.state).toBe('error');
    expect(status(root)).toBe('Something went wrong');
    expect(live(root)).toContain('token-url');
    expect(events['rtvoice-state'].at(-1)).toMatchObject({ state: 'failed', view: 'error' });
    // Set it, retry: the call starts.
    widget.setAttribute('token-url', '/api/token');
    vi.stubGlobal('fetch', vi.fn(async () => Response.json({ value: 'ek_1', calls_url: 'https://rt.test/v1/realtime/calls' })));
    button(root, 'Try again').click();
    await expect.poll(() => widget.state).toBe('listening');
    expect(root.querySelector('[part="error"]')!.hasAttribute('hidden')).toBe(true);
  });

  it('an unusable token-url: the endpoint error is shown with a retry, and the mic is released', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Response.json({ error: { code: 'upstream_unavailable', message: 'down' } }, { status: 502 })));
    const { root, widget, events } = mount({ 'token-url': '/api/token' });
    button(root, 'Start call').click();
    await expect.poll(() => widget.state).toBe('error');
    expect(events['rtvoice-error']).toEqual([expect.objectContaining({ code: 'token_fetch_failed', message: expect.stringContaining('502') })]);
    expect(root.querySelector('[part="error"] p')!.textContent).toContain('502');
    expect(button(root, 'Try again')).toBeTruthy();
    await expect.poll(() => tracks()[0]?.readyState).toBe('ended');
  });

  it('a blocked microphone: a human message (in the widget language), the technical one after it', async () => {
    const denied = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    (navigator.mediaDevices.getUserMedia as ReturnType<typeof vi.fn>).mockRejectedValue(denied);
    const { root, widget, events } = mount({ lang: 'ko' });
    button(root, '통화 시작').click();
    await expect.poll(() => widget.state).toBe('error');
    expect(events['rtvoice-error']).toEqual([expect.objectContaining({ code: 'mic_permission_denied' })]);
    const text = root.querySelector('[part="error"] p')!;
    expect(text.firstChild!.textContent).toBe('마이크 접근이 차단되었습니다. 이 사이트에 허용한 뒤 다시 시도하세요.');
    expect(root.querySelector('[part="error-detail"]')!.textContent).toBe(events['rtvoice-error'][0]!.message);
    expect(live(root)).toBe('마이크 접근이 차단되었습니다. 이 사이트에 허용한 뒤 다시 시도하세요.');
    expect(button(root, '다시 시도')).toBeTruthy();
  });

  it('a changed token-url applies to the next call', async () => {
    const fetch = vi.fn(async () => Response.json({ value: 'ek_1', calls_url: 'https://rt.test/v1/realtime/calls' }));
    vi.stubGlobal('fetch', fetch);
    const { root, widget } = mount({ 'token-url': '/api/one' });
    button(root, 'Start call').click();
    await expect.poll(() => widget.state).toBe('listening');
    widget.setAttribute('token-url', '/api/two');
    expect(widget.state).toBe('listening'); // the call goes on
    button(root, 'End call').click();
    await expect.poll(() => widget.state).toBe('idle');
    button(root, 'Start call').click();
    await expect.poll(() => widget.state).toBe('listening');
    expect(fetch.mock.calls.map((c) => String((c as unknown[])[0]))).toEqual(['/api/one', '/api/two']);
  });
});

describe('<rtvoice-widget>: call-url', () => {
  it("connects through the app's call endpoint (no token, no key), and wins over token-url", async () => {
    const fetch = vi.fn(async () => Response.json({}));
    vi.stubGlobal('fetch', fetch);
    const m = mount({ 'call-url': '/api/call', 'token-url': '/api/token' }, { tokenRequest: { credentials: 'include' } });
    button(m.root, 'Start call').click();
    await expect.poll(() => m.widget.state).toBe('listening');
    expect(m.fake.connectParams).toMatchObject({ callsUrl: '/api/call', ephemeralKey: '', request: { credentials: 'include' } });
    expect(fetch).not.toHaveBeenCalled();
    await m.widget.end();
  });
});

describe('<rtvoice-widget>: call states', () => {
  it('connecting, then listening; rtvoice-state carries state and activity; the change is announced', async () => {
    const m = mount({}, {}, { manualOpen: true });
    button(m.root, 'Start call').click();
    await expect.poll(() => status(m.root)).toBe('Connecting…');
    expect(live(m.root)).toBe('Connecting…');
    expect(button(m.root, 'End call')).toBeTruthy();
    m.fake.open();
    await expect.poll(() => status(m.root)).toBe('Listening');
    expect(live(m.root)).toBe('Listening');
    expect(m.events['rtvoice-state']).toEqual([
      { state: 'connecting', activity: undefined, view: 'connecting' },
      { state: 'connected', activity: 'listening', view: 'listening' },
    ]);
  });

  it('user speaking and assistant speaking, told apart by text, data-state and activity', async () => {
    const m = await connected();
    m.fake.receive({ type: 'input_audio_buffer.speech_started', event_id: 'e1', audio_start_ms: 0, item_id: 'item_u1' });
    expect(status(m.root)).toBe('You are speaking');
    expect(m.widget.getAttribute('data-state')).toBe('user-speaking');
    m.fake.receive({ type: 'input_audio_buffer.speech_stopped', event_id: 'e2', audio_end_ms: 900, item_id: 'item_u1' });
    m.fake.assistantTurn('Hello there, how can I help?', { complete: false });
    expect(status(m.root)).toBe('Agent is speaking');
    expect(m.events['rtvoice-state'].map((d) => d.activity)).toEqual(
      expect.arrayContaining(['listening', 'user-speaking', 'assistant-speaking']),
    );
    // Speaking turns are not announced (that would talk over the agent).
    expect(live(m.root)).toBe('Listening');
  });

  it('reconnecting after a drop, then back to listening', async () => {
    const m = await connected({}, { reconnect: { maxAttempts: 2, backoffMs: 0 } });
    m.fake.drop();
    await expect.poll(() => m.events['rtvoice-state'].some((d) => d.view === 'reconnecting')).toBe(true);
    await expect.poll(() => m.widget.state).toBe('listening');
    expect(m.transports).toHaveLength(2);
  });

  it('end call: back to idle with the microphone released', async () => {
    const m = await connected();
    button(m.root, 'End call').click();
    await expect.poll(() => m.widget.state).toBe('idle');
    expect(tracks()[0]!.readyState).toBe('ended');
    expect(button(m.root, 'Start call')).toBeTruthy();
  });

  it('moving the element in the DOM keeps the call; removing it ends the call', async () => {
    const m = await connected();
    const other = document.createElement('section');
    document.body.append(other);
    other.append(m.widget); // moved
    await flush();
    expect(m.widget.session!.state).toBe('connected');
    expect(m.fake.closeCalls).toBe(0);
    m.widget.remove();
    await expect.poll(() => m.widget.session!.state).toBe('closed');
    expect(tracks()[0]!.readyState).toBe('ended');
  });
});

describe('<rtvoice-widget>: controls', () => {
  it('mute toggles the microphone, shows the muted state and announces it', async () => {
    const m = await connected();
    const mute = button(m.root, 'Mute microphone');
    expect(mute.getAttribute('aria-pressed')).toBe('false');
    mute.click();
    expect(mute.getAttribute('aria-pressed')).toBe('true');
    expect(m.widget.session!.muted).toBe(true);
    expect(status(m.root)).toBe('Microphone muted');
    expect(live(m.root)).toBe('Microphone muted');
    expect(m.events['rtvoice-state'].at(-1)).toMatchObject({ activity: 'muted' });
    mute.click();
    expect(m.widget.session!.muted).toBe(false);
    expect(status(m.root)).toBe('Listening');
  });

  it('shows a mute made by the app through the session property', async () => {
    const m = await connected();
    m.widget.session!.mute();
    expect(button(m.root, 'Mute microphone').getAttribute('aria-pressed')).toBe('true');
    expect(status(m.root)).toBe('Microphone muted');
    m.widget.session!.unmute();
    expect(status(m.root)).toBe('Listening');
  });

  it('stop answer interrupts the assistant; the transcript marks the answer interrupted', async () => {
    const m = await connected({ transcript: '' });
    m.fake.assistantTurn('A very long answer that goes on', { complete: false });
    m.fake.sent.length = 0;
    button(m.root, 'Stop answer').click();
    expect(m.fake.sent.map((e) => e.type)).toContain('response.cancel');
    m.fake.bargeIn();
    await flush();
    const list = getByRole(m.root, 'list', { name: 'Conversation' });
    const line = within(list).getAllByRole('listitem').at(-1)!;
    expect(line.dataset.role).toBe('assistant');
    expect(line.dataset.interrupted).toBe('true');
    expect(line.textContent).toContain('(interrupted)');
    expect(queryByRole(m.root, 'button', { name: 'Stop answer' })).toBeNull();
  });

  it('push-to-talk: hold the button (pointer) or Space while focused', async () => {
    const m = await connected({ 'push-to-talk': '' });
    expect(m.widget.session!.pushToTalk).toBe(true);
    const ptt = button(m.root, 'Hold to talk');
    m.fake.sent.length = 0;
    fireEvent.pointerDown(ptt, { button: 0, pointerId: 1 });
    expect(ptt.getAttribute('aria-pressed')).toBe('true');
    expect(m.widget.state).toBe('user-speaking');
    expect(m.fake.sent.map((e) => e.type)).toEqual(['input_audio_buffer.clear']);
    await hold();
    fireEvent.pointerUp(ptt, { button: 0, pointerId: 1 });
    expect(ptt.getAttribute('aria-pressed')).toBe('false');
    expect(m.fake.sent.map((e) => e.type).slice(0, 2)).toEqual(['input_audio_buffer.clear', 'input_audio_buffer.commit']);

    m.fake.sent.length = 0;
    ptt.focus();
    fireEvent.keyDown(ptt, { key: ' ' });
    fireEvent.keyDown(ptt, { key: ' ', repeat: true });
    expect(m.fake.sent.map((e) => e.type)).toEqual(['input_audio_buffer.clear']);
    await hold();
    fireEvent.keyUp(ptt, { key: ' ' });
    expect(m.fake.sent.map((e) => e.type).slice(0, 2)).toEqual(['input_audio_buffer.clear', 'input_audio_buffer.commit']);
    expect(ptt.getAttribute('aria-pressed')).toBe('false');
  });

  it('speak-first: the greeting is asked for when the call opens; its text instructs it; without it, nothing is asked', async () => {
    const responseCreates = async (attributes: Record<string, string>) => {
      const m = await connected(attributes);
      return m.transports[0]!.sentOfType('response.create').map((e) => e.response ?? null);
    };
    expect(await responseCreates({ 'speak-first': '' })).toEqual([null]);
    expect(await responseCreates({ 'speak-first': 'Greet the user by name.' })).toEqual([{ instructions: 'Greet the user by name.' }]);
    expect(await responseCreates({})).toEqual([]);
  });

  it('no push-to-talk button without the attribute', async () => {
    const m = await connected();
    expect(queryByRole(m.root, 'button', { name: 'Hold to talk' })).toBeNull();
  });

  it('text input sends a message, shown in the transcript', async () => {
    const m = mount({ 'text-input': '', transcript: '' });
    const input = getByRole(m.root, 'textbox', { name: 'Message' }) as HTMLInputElement;
    expect(input.disabled).toBe(true); // no call yet
    button(m.root, 'Start call').click();
    await expect.poll(() => input.disabled).toBe(false);
    input.value = '  Book a table for two ';
    fireEvent.submit(input.form!);
    const created = m.fake.sentOfType('conversation.item.create');
    expect(created).toEqual([expect.objectContaining({ item: expect.objectContaining({ role: 'user', content: [{ type: 'input_text', text: 'Book a table for two' }] }) })]);
    expect(input.value).toBe('');
    // The server adds the item to the conversation: the transcript shows it.
    m.fake.receive({ type: 'conversation.item.added', event_id: 'e', previous_item_id: null, item: { ...(created[0]!.item as object), id: 'item_text1', status: 'completed' } });
    expect(within(getByRole(m.root, 'list', { name: 'Conversation' })).getByText('Book a table for two')).toBeTruthy();
  });
});

describe('<rtvoice-widget>: transcript, live region, tools, debug', () => {
  it('the transcript shows the history; the live region gets final lines, never partial deltas', async () => {
    const m = await connected({ transcript: '' });
    m.fake.userTurn('What is the weather?');
    expect(live(m.root)).toBe('You: What is the weather?');
    m.fake.assistantTurn('It is sunny in Paris today.', { complete: false });
    expect(live(m.root)).toBe('You: What is the weather?'); // partial answer: not announced
    const partials = m.events['rtvoice-transcript'].filter((t) => !t.final);
    expect(partials.length).toBeGreaterThan(1);
    m.fake.receive({ type: 'response.output_audio_transcript.done', event_id: 'x', response_id: 'r', item_id: m.widget.session!.history.at(-1)!.id, content_index: 0, transcript: 'It is sunny in Paris today.' });
    expect(live(m.root)).toBe('Agent: It is sunny in Paris today.');
    const items = within(getByRole(m.root, 'list', { name: 'Conversation' })).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual(['You: What is the weather?', 'Agent: It is sunny in Paris today.']);
    expect(getByRole(m.root, 'list', { name: 'Conversation' }).hasAttribute('aria-live')).toBe(false);
  });

  it('tools from options run; rtvoice-tool reports the call and the result', async () => {
    const execute = vi.fn(async ({ city }: { city: string }) => ({ city, temperature_c: 21 }));
    const m = await connected({ transcript: '' }, {
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, execute }],
    });
    expect(m.fake.sentOfType('session.update')[0]).toMatchObject({ session: { tools: [expect.objectContaining({ name: 'get_weather' })] } });
    const callId = m.fake.toolCall('get_weather', { city: 'Paris' });
    await expect.poll(() => m.events['rtvoice-tool'].length).toBe(2);
    expect(execute).toHaveBeenCalledWith({ city: 'Paris' }, expect.anything());
    expect(m.events['rtvoice-tool']).toEqual([
      { phase: 'call', callId, name: 'get_weather', args: { city: 'Paris' } },
      expect.objectContaining({ phase: 'result', callId, name: 'get_weather', result: { city: 'Paris', temperature_c: 21 } }),
    ]);
    expect(within(getByRole(m.root, 'list', { name: 'Conversation' })).getByText('get_weather')).toBeTruthy();
  });

  it('a failing tool fires rtvoice-tool and rtvoice-error and the call goes on', async () => {
    const m = await connected({}, { tools: [{ name: 'boom', description: 'fails', parameters: { type: 'object' }, execute: () => { throw new Error('no'); } }] });
    m.fake.toolCall('boom', {});
    await expect.poll(() => m.events['rtvoice-error'].length).toBe(1);
    expect(m.events['rtvoice-tool'].at(-1)).toMatchObject({ phase: 'error', name: 'boom', code: 'tool_failed' });
    expect(m.widget.state).toBe('listening');
    expect(queryByRole(m.root, 'button', { name: 'Try again' })).toBeNull();
  });

  it('debug panel: live cost and per-turn latency', async () => {
    const m = await connected({ debug: '' });
    const panel = m.root.querySelector('[part="debug"]') as HTMLElement;
    expect(panel.hidden).toBe(false);
    m.fake.receive({ type: 'session.updated', event_id: 'e', session: { type: 'realtime', model: 'gpt-realtime' } });
    m.fake.userTurn('Hi');
    m.fake.assistantTurn('Hello!', { usage: { total_tokens: 1100, input_tokens: 1000, output_tokens: 100, input_token_details: { text_tokens: 0, audio_tokens: 1000 }, output_token_details: { text_tokens: 0, audio_tokens: 100 } } });
    await flush();
    const [cost, latency, connect] = Array.from(panel.querySelectorAll('dd')).map((d) => d.textContent);
    expect(cost).toMatch(/^(\$\d+\.\d{4}|\d+ tokens)$/);
    expect(cost).not.toBe('0 tokens');
    expect(latency).toMatch(/^\d+ ms$/);
    expect(connect).toMatch(/^\d+ ms$/);
  });

  it('autoplay refused: a "Turn on sound" button resumes playback from the gesture', async () => {
    const play = vi.fn(async () => undefined);
    play.mockRejectedValueOnce(Object.assign(new Error('play() needs a gesture'), { name: 'NotAllowedError' }));
    const audioElement = { autoplay: false, srcObject: null, play, pause: vi.fn(), remove: vi.fn() } as unknown as HTMLAudioElement;
    const m = await connected({}, { audioElement });
    const track = Object.assign(new EventTarget(), { kind: 'audio', enabled: true, readyState: 'live', stop() {} }) as unknown as MediaStreamTrack;
    m.fake.remoteTrack(track, { id: 'remote', getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream);
    await expect.poll(() => m.events['rtvoice-error']).toEqual([expect.objectContaining({ code: 'autoplay_blocked' })]);
    expect(m.widget.state).toBe('listening');
    button(m.root, 'Turn on sound').click();
    await flush();
    expect(play).toHaveBeenCalledTimes(2);
    expect(queryByRole(m.root, 'button', { name: 'Turn on sound' })).toBeNull();
  });
});

describe('<rtvoice-widget>: language', () => {
  it('lang="ko" shows Korean labels; changing lang relabels', async () => {
    const m = mount({ lang: 'ko-KR' });
    expect(button(m.root, '통화 시작')).toBeTruthy();
    expect(status(m.root)).toBe('준비됨');
    m.widget.setAttribute('lang', 'en');
    expect(button(m.root, 'Start call')).toBeTruthy();
  });

  it('falls back to the page language, then English', () => {
    const wrapper = document.createElement('div');
    wrapper.lang = 'ko';
    document.body.append(wrapper);
    const m = mount();
    wrapper.append(m.widget);
    expect(button(m.root, '통화 시작')).toBeTruthy();
    m.widget.setAttribute('lang', 'xx');
    expect(button(m.root, 'Start call')).toBeTruthy();
  });
});


describe('<rtvoice-widget>: styles under a strict CSP', () => {
  it('uses one constructable stylesheet shared by every instance, no <style> element', () => {
    const a = mount();
    const b = mount();
    const sheets = (m: { widget: HTMLElement }) => m.widget.shadowRoot!.adoptedStyleSheets;
    expect(sheets(a)).toHaveLength(1);
    expect(sheets(a)[0]).toBe(sheets(b)[0]);
    expect(a.root.querySelector('style, link')).toBeNull();
    expect(a.root.querySelectorAll('[style]')).toHaveLength(0);
  });
});
