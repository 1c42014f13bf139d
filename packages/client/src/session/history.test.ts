// @vitest-environment happy-dom
/*
 * `session.history` and `historyChange`: server order (previous_item_id), a
 * user transcript that arrives after the answer, failed transcriptions, tool
 * calls with their output, and answers cut off by the user.
 */
import { describe, expect, it, vi } from 'vitest';
import { createSession, flush, record, useFakeMicAndTimers } from '../../test/harness.js';
import type { VoiceSessionOptions } from '../options.js';

useFakeMicAndTimers();

async function live(options: Partial<VoiceSessionOptions> = {}) {
  const h = createSession(options);
  await h.session.connect();
  return Object.assign(h, { changes: record(h.session, 'historyChange') });
}

type Live = Awaited<ReturnType<typeof live>>;

const typed = (id: string, text: string) => ({ id, type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text }] });
const added = (h: Live, item: object, previous_item_id?: string | null) =>
  h.fake.receive({ type: 'conversation.item.added', item, ...(previous_item_id !== undefined && { previous_item_id }) });
const ids = (h: Live) => h.session.history.map((i) => i.id);
const assistantId = (h: Live) => h.session.history.find((i) => i.type === 'message' && i.role === 'assistant')!.id;

describe('order', () => {
  it('places items after their previous_item_id, at the start for null, at the end when unknown', async () => {
    const h = await live();
    added(h, typed('u1', 'first'), null);
    added(h, { id: 'a1', type: 'message', role: 'assistant', status: 'in_progress', content: [] }, 'u1');
    added(h, typed('u0', 'before everything'), null);
    added(h, typed('x', 'inserted after u1'), 'u1');
    added(h, typed('y', 'after an unknown item'), 'nowhere');
    added(h, typed('z', 'no previous id'));
    expect(ids(h)).toEqual(['u0', 'u1', 'x', 'a1', 'y', 'z']);
  });

  it('updates an entry in place: conversation.item.done does not move or duplicate it', async () => {
    const h = await live();
    added(h, typed('u1', 'hi'), null);
    added(h, { id: 'a1', type: 'message', role: 'assistant', status: 'in_progress', content: [] }, 'u1');
    h.fake.receive({ type: 'conversation.item.done', item: { id: 'u1', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'hi' }] }, previous_item_id: 'a1' });
    expect(ids(h)).toEqual(['u1', 'a1']);
  });
});

describe('messages', () => {
  it('keeps a spoken user turn first when its transcript arrives after the answer', async () => {
    const h = await live();
    const userId = h.fake.userTurn(null);
    expect(h.session.history).toEqual([{ type: 'message', id: userId, role: 'user', text: '', status: 'in_progress' }]);
    const responseId = h.fake.assistantTurn('Sure, for two.');
    h.fake.receive({ type: 'conversation.item.input_audio_transcription.completed', item_id: userId, content_index: 0, transcript: 'Book a table for two.' });
    expect(h.session.history).toEqual([
      { type: 'message', id: userId, role: 'user', text: 'Book a table for two.', status: 'completed' },
      { type: 'message', id: assistantId(h), role: 'assistant', text: 'Sure, for two.', status: 'completed', responseId },
    ]);
  });

  it('keeps several spoken exchanges in order (the scripted turns carry previous_item_id)', async () => {
    const h = await live();
    h.fake.userTurn('First question?');
    h.fake.assistantTurn('First answer.');
    h.fake.userTurn('Second question?');
    h.fake.assistantTurn('Second answer.');
    expect(h.session.history.map((i) => i.type === 'message' && `${i.role}: ${i.text}`)).toEqual([
      'user: First question?',
      'assistant: First answer.',
      'user: Second question?',
      'assistant: Second answer.',
    ]);
  });

  it('assembles user transcript deltas', async () => {
    const h = await live();
    const userId = h.fake.userTurn(null);
    h.fake.receive({ type: 'conversation.item.input_audio_transcription.delta', item_id: userId, content_index: 0, delta: 'Hel' });
    expect(h.session.history[0]).toMatchObject({ text: 'Hel', status: 'in_progress' });
    h.fake.receive({ type: 'conversation.item.input_audio_transcription.delta', item_id: userId, content_index: 0, delta: 'lo' });
    expect(h.session.history[0]).toMatchObject({ text: 'Hello', status: 'in_progress' });
  });

  it('marks a user turn whose transcription failed as failed, and says so in the final transcript event', async () => {
    const h = await live();
    const transcripts = record(h.session, 'transcript');
    const userId = h.fake.userTurn(null);
    h.fake.receive({
      type: 'conversation.item.input_audio_transcription.failed',
      item_id: userId,
      content_index: 0,
      error: { type: 'transcription_error', code: 'audio_unintelligible', message: 'Audio file might be corrupted or unsupported' },
    });
    expect(h.session.history).toEqual([{ type: 'message', id: userId, role: 'user', text: '', status: 'failed' }]);
    expect(transcripts.at(-1)).toEqual({ role: 'user', itemId: userId, delta: '', text: '', final: true, failed: 'Audio file might be corrupted or unsupported' });
  });

  it('has a typed message completed on arrival', async () => {
    const h = await live();
    h.session.sendText('hello');
    added(h, typed('item_t1', 'hello'), null);
    expect(h.session.history).toEqual([{ type: 'message', id: 'item_t1', role: 'user', text: 'hello', status: 'completed' }]);
  });

  it('marks an answer of a response that did not complete as incomplete', async () => {
    const h = await live();
    h.fake.receive({ type: 'response.created', response: { id: 'r1', status: 'in_progress', output: [] } });
    added(h, { id: 'a1', type: 'message', role: 'assistant', status: 'in_progress', content: [] });
    h.fake.receive({ type: 'response.output_text.delta', response_id: 'r1', item_id: 'a1', content_index: 0, delta: 'The answer is' });
    h.fake.receive({ type: 'response.done', response: { id: 'r1', status: 'incomplete', status_details: { type: 'incomplete', reason: 'max_output_tokens' }, output: [{ id: 'a1', type: 'message' }] } });
    expect(h.session.history).toEqual([{ type: 'message', id: 'a1', role: 'assistant', text: 'The answer is', status: 'incomplete', responseId: 'r1' }]);
  });

  it('leaves out what an out-of-band response says (a tool acknowledgement): heard, but not part of the conversation', async () => {
    const h = await live();
    const transcripts = record(h.session, 'transcript');
    added(h, typed('u1', 'Where is my order?'), null);
    h.fake.receive({ type: 'response.created', response: { id: 'r_ack', status: 'in_progress', conversation_id: null, output: [] } });
    h.fake.receive({ type: 'response.output_audio_transcript.delta', response_id: 'r_ack', item_id: 'a_ack', content_index: 0, delta: 'One moment.' });
    h.fake.receive({ type: 'response.output_audio_transcript.done', response_id: 'r_ack', item_id: 'a_ack', content_index: 0, transcript: 'One moment.' });
    expect(ids(h)).toEqual(['u1']);
    expect(transcripts.at(-1)).toMatchObject({ role: 'assistant', text: 'One moment.', final: true });
  });

  it('removes a deleted item', async () => {
    const h = await live();
    added(h, typed('u1', 'one'), null);
    added(h, typed('u2', 'two'), 'u1');
    h.fake.receive({ type: 'conversation.item.deleted', item_id: 'u1' });
    expect(ids(h)).toEqual(['u2']);
    expect(h.changes.at(-1)).toEqual({ history: h.session.history });
    expect(h.changes.at(-1)!.item).toBeUndefined();
  });
});

describe('historyChange', () => {
  it('carries the whole history and the changed entry, a new object per change; untouched entries keep their identity', async () => {
    const h = await live();
    added(h, typed('u1', 'hi'), null);
    const user = h.session.history[0];
    h.fake.receive({ type: 'response.output_audio_transcript.delta', response_id: 'r1', item_id: 'a1', content_index: 0, delta: 'Hel' });
    const first = h.session.history[1];
    h.fake.receive({ type: 'response.output_audio_transcript.delta', response_id: 'r1', item_id: 'a1', content_index: 0, delta: 'lo' });
    const second = h.session.history[1];
    expect(h.session.history[0]).toBe(user);
    expect(second).not.toBe(first);
    expect(first).toMatchObject({ text: 'Hel' });
    expect(second).toMatchObject({ text: 'Hello' });
    expect(h.changes.map((c) => c.item)).toEqual([user, first, second]);
    expect(h.changes.at(-1)!.history).toEqual(h.session.history);
  });

  it('gives a copy: changing the returned array changes nothing', async () => {
    const h = await live();
    added(h, typed('u1', 'hi'), null);
    h.session.history.length = 0;
    expect(ids(h)).toEqual(['u1']);
  });

  it('starts a new conversation on the next connect()', async () => {
    const h = await live();
    added(h, typed('u1', 'hi'), null);
    await h.session.disconnect();
    expect(ids(h)).toEqual(['u1']);
    await h.session.connect();
    expect(h.session.history).toEqual([]);
    expect(h.changes.at(-1)).toEqual({ history: [] });
  });
});

describe('tool calls', () => {
  it('records a call with its arguments and output', async () => {
    const h = await live({ tools: [{ name: 'get_time', execute: () => ({ time: 'noon' }) }] });
    const callId = h.fake.toolCall('get_time', { tz: 'UTC' });
    expect(h.session.history).toEqual([{ type: 'function_call', id: expect.any(String), callId, name: 'get_time', arguments: '{"tz":"UTC"}', status: 'in_progress' }]);
    await flush();
    expect(h.session.history).toEqual([
      { type: 'function_call', id: expect.any(String), callId, name: 'get_time', arguments: '{"tz":"UTC"}', output: '{"time":"noon"}', status: 'completed' },
    ]);
  });

  it('keeps a failed call failed when the server acknowledges its output item', async () => {
    const h = await live({
      tools: [
        {
          name: 'explode',
          execute: () => {
            throw new Error('boom');
          },
        },
      ],
    });
    const callId = h.fake.toolCall('explode');
    await flush();
    const sent = h.fake.sentOfType('conversation.item.create')[0]!.item as { output: string };
    // The server echoes the output item it created (PROTOCOL.md §6.1 step 3).
    added(h, { id: 'item_out', type: 'function_call_output', call_id: callId, output: sent.output });
    h.fake.receive({ type: 'conversation.item.done', item: { id: 'item_out', type: 'function_call_output', call_id: callId, output: sent.output } });
    expect(h.session.history).toEqual([expect.objectContaining({ type: 'function_call', callId, output: sent.output, status: 'failed' })]);
  });

  it('fills in the output of a call from the server (a call answered elsewhere)', async () => {
    const h = await live();
    added(h, { id: 'fc1', type: 'function_call', status: 'completed', call_id: 'call_9', name: 'remote', arguments: '{}' });
    added(h, { id: 'out1', type: 'function_call_output', call_id: 'call_9', output: '42' }, 'fc1');
    expect(h.session.history).toEqual([{ type: 'function_call', id: 'fc1', callId: 'call_9', name: 'remote', arguments: '{}', output: '42', status: 'completed' }]);
  });
});

describe('interrupted answers', () => {
  const TEXT = 'One two three four five six seven eight nine ten.';

  it('marks an answer cut off by the user as interrupted, keeping the text up to about what was heard', async () => {
    const h = await live();
    const responseId = h.fake.assistantTurn(TEXT, { complete: false });
    await vi.advanceTimersByTimeAsync(1000);
    h.fake.bargeIn();
    expect(h.session.history).toEqual([
      { type: 'message', id: assistantId(h), role: 'assistant', text: 'One two three', status: 'incomplete', interrupted: true, audioEndMs: 1000, responseId },
    ]);
  });

  it('ignores the full transcript that follows the cut, and re-cuts when the server says exactly how much was heard', async () => {
    const h = await live();
    h.fake.assistantTurn(TEXT, { complete: false });
    await vi.advanceTimersByTimeAsync(1000);
    h.fake.bargeIn();
    const id = assistantId(h);
    h.fake.receive({ type: 'response.output_audio_transcript.done', response_id: 'r', item_id: id, content_index: 0, transcript: TEXT });
    h.fake.receive({ type: 'conversation.item.done', item: { id, type: 'message', role: 'assistant', status: 'incomplete', content: [{ type: 'output_audio', transcript: TEXT }] } });
    expect(h.session.history[0]).toMatchObject({ text: 'One two three', status: 'incomplete', interrupted: true });
    h.fake.receive({ type: 'conversation.item.truncated', item_id: id, content_index: 0, audio_end_ms: 2000 });
    expect(h.session.history[0]).toMatchObject({ text: 'One two three four five six', status: 'incomplete', interrupted: true, audioEndMs: 2000 });
  });

  it('marks the answer cut off by interrupt() too', async () => {
    const h = await live();
    h.fake.assistantTurn(TEXT, { complete: false });
    await vi.advanceTimersByTimeAsync(800);
    h.session.interrupt();
    expect(h.session.history[0]).toMatchObject({ text: 'One two', interrupted: true, audioEndMs: 800, status: 'incomplete' });
  });

  it('does not cut the previous, fully heard answer when the user interrupts a new response before its item exists', async () => {
    const h = await live();
    h.fake.assistantTurn(TEXT);
    const previous = h.session.history[0];
    // The next response starts; the user talks over it before anything of it arrived.
    h.fake.receive({ type: 'response.created', response: { id: 'resp_next', status: 'in_progress', output: [] } });
    const interrupted = record(h.session, 'interrupted');
    h.fake.receive({ type: 'input_audio_buffer.speech_started', audio_start_ms: 9000, item_id: 'item_u9' });
    expect(interrupted).toEqual([{ source: 'vad', responseId: 'resp_next', itemId: undefined, audioEndMs: 0 }]);
    expect(h.session.history[0]).toBe(previous);
    expect(previous).toMatchObject({ text: TEXT, status: 'completed' });
    expect(previous).not.toHaveProperty('interrupted');
  });
});
