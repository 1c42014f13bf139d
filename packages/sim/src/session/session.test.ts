import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_ID_PATTERN } from '../protocol/ids.js';
import { schemaProblems } from '../test-support/fixtures.js';
import { SessionHarness } from '../test-support/session-harness.js';
import { concat, silence, tone } from '../test-support/signals.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The GA order of one VAD turn with the parrot (PROTOCOL §4.5 + the brief). */
const TURN_ORDER = [
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'input_audio_buffer.committed',
  'conversation.item.added',
  'conversation.item.done',
  'response.created',
  'rate_limits.updated',
  'response.output_item.added',
  'conversation.item.added',
  'response.content_part.added',
];
const RESPONSE_TAIL = [
  'response.output_audio.done',
  'response.output_audio_transcript.done',
  'response.content_part.done',
  'response.output_item.done',
  'conversation.item.done',
  'response.done',
];

describe('SimSession: one server_vad turn with the parrot', () => {
  it('emits the GA event order, with output_audio_buffer.started among the deltas and stopped after playback', async () => {
    const h = new SessionHarness();
    await h.feed(concat(silence(500), tone(1400, 0.3), silence(400)));
    await h.idle(2500);
    const types = h.types(1).filter((t) => t !== 'output_audio_buffer.started');
    const deltas = types.filter((t) => t === 'response.output_audio_transcript.delta').length;
    expect(deltas).toBeGreaterThanOrEqual(2);
    expect(types).toEqual([
      ...TURN_ORDER,
      ...Array<string>(deltas).fill('response.output_audio_transcript.delta'),
      ...RESPONSE_TAIL,
      'output_audio_buffer.stopped',
    ]);
    const all = h.types();
    const started = all.indexOf('output_audio_buffer.started');
    expect(started).toBeGreaterThan(all.indexOf('response.content_part.added'));
    expect(started).toBeLessThan(all.indexOf('response.output_audio.done'));
    expect(all[0]).toBe('session.created');
  });

  it('reports ms on the audio timeline and links the ids together', async () => {
    const h = new SessionHarness();
    await h.feed(concat(silence(500), tone(1400, 0.3), silence(400)));
    await h.idle(2500);
    const [started] = h.ofType('input_audio_buffer.speech_started');
    const [stopped] = h.ofType('input_audio_buffer.speech_stopped');
    const [committed] = h.ofType('input_audio_buffer.committed');
    expect(started).toMatchObject({ audio_start_ms: 200 }); // onset 500 − 300 prefix padding
    expect(stopped).toMatchObject({ audio_end_ms: 2100, item_id: started?.item_id }); // end 1900 + 200 silence
    expect(committed).toMatchObject({ item_id: started?.item_id, previous_item_id: null });
    const userAdded = h.first('conversation.item.added');
    expect(userAdded).toMatchObject({
      previous_item_id: null,
      item: { id: started?.item_id, type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] },
    });
    const created = h.first('response.created');
    expect(created.response).toMatchObject({ object: 'realtime.response', status: 'in_progress', output: [], usage: null });
    const responseId = created.response.id;
    const assistantAdded = h.ofType('conversation.item.added')[1]!;
    expect(assistantAdded.previous_item_id).toBe(started?.item_id);
    for (const e of h.sent.filter((x) => x.type.startsWith('response.output_audio') || x.type.startsWith('response.content_part'))) {
      expect(e).toMatchObject({ response_id: responseId, item_id: assistantAdded.item.id, output_index: 0, content_index: 0 });
    }
    const transcript = h.ofType('response.output_audio_transcript.delta').map((e) => e.delta).join('');
    expect(transcript).toBe('(sim) you spoke for 1.4 s');
    expect(h.first('response.output_audio_transcript.done')?.transcript).toBe(transcript);
    expect(h.first('response.content_part.added')?.part).toEqual({ type: 'audio', transcript: '' });
    expect(h.first('response.content_part.done')?.part).toEqual({ type: 'audio', transcript });
  });

  it('bills audio honestly in response.done usage (user 1 token/100 ms, assistant 1 token/50 ms)', async () => {
    const h = new SessionHarness();
    await h.feed(concat(silence(500), tone(1400, 0.3), silence(400)));
    await h.idle(2500);
    const done = h.first('response.done');
    expect(done.response.status).toBe('completed');
    const usage = done.response.usage;
    // User item: 200..2100 ms = 1900 ms → 19 tokens. Assistant: 1.4 s of voice + 300 ms of padding = 1700 ms → 34 tokens.
    expect(usage.input_token_details.audio_tokens).toBe(19);
    expect(usage.output_token_details.audio_tokens).toBe(34);
    expect(usage.output_token_details.text_tokens).toBe(Math.ceil('(sim) you spoke for 1.4 s'.length / 4));
    expect(usage.input_tokens).toBe(usage.input_token_details.text_tokens + usage.input_token_details.audio_tokens);
    expect(usage.output_tokens).toBe(usage.output_token_details.text_tokens + usage.output_token_details.audio_tokens);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(Object.keys(usage.input_token_details).sort()).toEqual(['audio_tokens', 'cached_tokens', 'cached_tokens_details', 'image_tokens', 'text_tokens']);
    expect(done.response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_audio', transcript: '(sim) you spoke for 1.4 s' }] });
  });

  it('plays the user audio back on the output track', async () => {
    const h = new SessionHarness();
    await h.feed(concat(silence(500), tone(1400, 0.3), silence(400)));
    await h.idle(2500);
    const voiced = h.outputVoiced.filter(Boolean).length;
    // 1.7 s is played back: 300 ms of (silent) prefix padding, then the 1.4 s tone.
    expect(voiced).toBeGreaterThanOrEqual(139);
    expect(voiced).toBeLessThanOrEqual(141);
  });

  it('stamps every event with an event_id and matches the official schemas', async () => {
    const h = new SessionHarness({ audio: { input: { transcription: { model: 'whisper-1' } } } });
    await h.feed(concat(silence(500), tone(1400, 0.3), silence(400)));
    await h.idle(2500);
    const ids = new Set<string>();
    for (const e of h.sent) {
      expect(e.event_id).toMatch(EVENT_ID_PATTERN);
      ids.add(e.event_id);
      expect(schemaProblems(e)).toEqual([]);
    }
    expect(ids.size).toBe(h.sent.length);
  });

  it('emits the input transcription with a duration usage when transcription is configured', async () => {
    const h = new SessionHarness({ audio: { input: { transcription: { model: 'whisper-1' } } } });
    await h.feed(concat(silence(500), tone(1400, 0.3), silence(400)));
    await h.idle(2500);
    const [completed] = h.ofType('conversation.item.input_audio_transcription.completed');
    const [committed] = h.ofType('input_audio_buffer.committed');
    expect(completed).toMatchObject({
      item_id: committed?.item_id,
      content_index: 0,
      transcript: '(sim) 1.4 s of speech',
      usage: { type: 'duration', seconds: 1.9 },
    });
  });
});

describe('SimSession: session.update', () => {
  it('answers with session.updated carrying the full merged session', () => {
    const h = new SessionHarness();
    h.client({ type: 'session.update', session: { type: 'realtime', instructions: 'Talk like a pirate.', audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 700 } } } } });
    const [updated] = h.ofType('session.updated');
    expect(updated?.session.instructions).toBe('Talk like a pirate.');
    expect(updated?.session.audio.input.turn_detection).toEqual({
      type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 700,
      idle_timeout_ms: null, create_response: true, interrupt_response: true,
    });
    expect(updated?.session.id).toBe('sess_harness');
    expect(updated?.session.audio.output.voice).toBe('alloy');
  });

  it("accepts openai-agents-js's full default session.update and its tracing update", () => {
    const h = new SessionHarness();
    h.client({
      type: 'session.update',
      session: {
        type: 'realtime',
        model: 'gpt-realtime-2.1',
        instructions: 'You are a helpful assistant.',
        output_modalities: ['audio'],
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            noise_reduction: null,
            transcription: { model: 'gpt-4o-mini-transcribe' },
            turn_detection: { type: 'semantic_vad' },
          },
          output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
        },
        tool_choice: 'auto',
        tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      },
    });
    h.client({ type: 'session.update', session: { type: 'realtime', tracing: 'auto' } });
    expect(h.ofType('error')).toEqual([]);
    const [first, second] = h.ofType('session.updated');
    expect(first?.session.audio.input.turn_detection).toEqual({ type: 'semantic_vad', eagerness: 'auto', create_response: true, interrupt_response: true });
    expect(first?.session.model).toBe('gpt-realtime'); // the model is fixed when the session starts
    expect(second?.session.tracing).toBe('auto');
    expect(second?.session.tools).toHaveLength(1);
  });

  it('applies silence_duration_ms to the next turn', async () => {
    const h = new SessionHarness({ audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 600 } } } });
    await h.feed(concat(tone(400, 0.3), silence(400), tone(400, 0.3), silence(700)));
    expect(h.ofType('input_audio_buffer.speech_started')).toHaveLength(1);
    expect(h.first('input_audio_buffer.speech_stopped')?.audio_end_ms).toBe(1800);
  });
});
