import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gaFixture, schemaProblems } from '../test-support/fixtures.js';
import { SessionHarness } from '../test-support/session-harness.js';
import { concat, silence, tone } from '../test-support/signals.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const userText = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  ...extra,
});

function expectSchemas(h: SessionHarness): void {
  for (const e of h.sent) expect(schemaProblems(e)).toEqual([]);
}

describe('conversation items', () => {
  it('create → conversation.item.added + conversation.item.done, like the official example', () => {
    const h = new SessionHarness();
    const example = gaFixture.client_events.find((e) => e.event_type === 'conversation.item.create')?.example;
    h.client(example ?? {});
    const [added] = h.ofType('conversation.item.added');
    const [done] = h.ofType('conversation.item.done');
    expect(added).toMatchObject({ previous_item_id: null, item: { type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
    expect(added?.item.id).toMatch(/^item_[A-Za-z0-9]{21}$/);
    expect(done?.item).toEqual(added?.item);
    expectSchemas(h);
  });

  it('previous_item_id: appends, inserts after an item, "root" inserts first, unknown is an error', () => {
    const h = new SessionHarness();
    h.client(userText('one', { }));
    const one = h.first('conversation.item.added').item.id;
    h.client({ ...userText('two'), previous_item_id: 'root' });
    expect(h.ofType('conversation.item.added')[1]?.previous_item_id).toBeNull();
    h.client({ ...userText('three'), previous_item_id: one });
    expect(h.ofType('conversation.item.added')[2]?.previous_item_id).toBe(one);
    expect(h.session.conversation.items.map((s) => (s.item.type === 'message' && s.item.content[0]?.type === 'input_text' ? s.item.content[0].text : ''))).toEqual(['two', 'one', 'three']);
    h.client({ ...userText('four'), previous_item_id: 'item_nope', event_id: 'c1' });
    expect(h.ofType('error').at(-1)?.error).toMatchObject({ code: 'invalid_value', param: 'previous_item_id', event_id: 'c1' });
  });

  it('retrieve returns the item with its audio as base64 pcm16', async () => {
    const h = new SessionHarness();
    await h.feed(concat(silence(300), tone(800, 0.3), silence(400)));
    const itemId = h.first('input_audio_buffer.committed').item_id;
    h.client({ type: 'conversation.item.retrieve', item_id: itemId });
    const [retrieved] = h.ofType('conversation.item.retrieved');
    expect(retrieved?.item).toMatchObject({ id: itemId, object: 'realtime.item', type: 'message', role: 'user' });
    const part = retrieved?.item.content[0];
    expect(part).toMatchObject({ type: 'input_audio', format: 'pcm16' });
    // Audio from audio_start_ms (0: clamped) to audio_end_ms (1100 + 200) at 24 kHz, 2 bytes per sample.
    expect(Buffer.from(part.audio, 'base64').length).toBe(1300 * 24 * 2);
    h.client({ type: 'conversation.item.retrieve', item_id: 'item_missing' });
    expect(h.ofType('error').at(-1)?.error).toMatchObject({ code: 'item_not_found', param: 'item_id' });
    expectSchemas(h);
  });

  it('retrieve leaves out audio that would not fit in one data-channel message (256 KiB)', async () => {
    const h = new SessionHarness({ audio: { input: { turn_detection: null } } });
    await h.feed(tone(4000, 0.3));
    h.client({ type: 'input_audio_buffer.commit' });
    const itemId = h.first('input_audio_buffer.committed').item_id;
    h.client({ type: 'conversation.item.retrieve', item_id: itemId });
    const retrieved = h.first('conversation.item.retrieved');
    expect(retrieved.item.content[0]).toEqual({ type: 'input_audio', transcript: null });
    expect(JSON.stringify(retrieved).length).toBeLessThan(262_144);
  });

  it('delete → conversation.item.deleted; deleting twice is an error', () => {
    const h = new SessionHarness();
    h.client(userText('bye'));
    const id = h.first('conversation.item.added').item.id;
    h.client({ type: 'conversation.item.delete', item_id: id });
    expect(h.ofType('conversation.item.deleted')).toEqual([expect.objectContaining({ item_id: id })]);
    h.client({ type: 'conversation.item.delete', item_id: id });
    expect(h.ofType('error').at(-1)?.error.code).toBe('item_not_found');
    expect(h.session.conversation.items).toHaveLength(0);
    expectSchemas(h);
  });

  it('truncate → conversation.item.truncated; beyond the audio length is an error; transcript is dropped', async () => {
    const h = new SessionHarness();
    h.client(userText('hello'));
    h.client({ type: 'response.create' });
    await h.idle(5000, false);
    const assistant = h.ofType('conversation.item.done').at(-1)?.item;
    expect(assistant?.role).toBe('assistant');
    h.client({ type: 'conversation.item.truncate', item_id: assistant.id, content_index: 0, audio_end_ms: 60_000 });
    expect(h.ofType('error').at(-1)?.error).toMatchObject({ type: 'invalid_request_error', code: null, param: 'audio_end_ms', message: expect.stringMatching(/^Audio content of \d+ms is already shorter than 60000ms$/) });
    h.client({ type: 'conversation.item.truncate', item_id: assistant.id, content_index: 0, audio_end_ms: 500 });
    expect(h.first('conversation.item.truncated')).toMatchObject({ item_id: assistant.id, content_index: 0, audio_end_ms: 500 });
    h.client({ type: 'conversation.item.retrieve', item_id: assistant.id });
    const part = h.first('conversation.item.retrieved').item.content[0];
    expect(part.transcript).toBe('');
    expect(Buffer.from(part.audio, 'base64').length).toBe(500 * 24 * 2);
    h.client({ type: 'conversation.item.truncate', item_id: h.session.conversation.items[0]?.item.id, content_index: 0, audio_end_ms: 0 });
    expect(h.ofType('error').at(-1)?.error.message).toMatch(/assistant/);
    expectSchemas(h);
  });

  it('function_call_output needs a matching function call', () => {
    const h = new SessionHarness();
    h.client({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_nope', output: '{}' } });
    expect(h.ofType('error').at(-1)?.error).toMatchObject({ code: 'invalid_value', param: 'item.call_id' });
    h.client({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_audio', transcript: 'x' }] } });
    expect(h.ofType('error').at(-1)?.error.message).toMatch(/cannot contain audio/);
  });

  it('input_audio_buffer.append feeds the VAD like the WebRTC track (24 kHz pcm16)', async () => {
    const h = new SessionHarness();
    const pcm24 = concat(silence(200, 24_000), tone(600, 0.3, 24_000), silence(400, 24_000));
    h.client({ type: 'input_audio_buffer.append', audio: Buffer.from(pcm24.buffer).toString('base64') });
    expect(h.types(1).slice(0, 3)).toEqual(['input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped', 'input_audio_buffer.committed']);
    expect(h.first('input_audio_buffer.speech_stopped').audio_end_ms).toBe(1000);
    h.client({ type: 'input_audio_buffer.clear' });
    expect(h.ofType('input_audio_buffer.cleared')).toHaveLength(1);
    await h.idle(10, false);
  });
});
