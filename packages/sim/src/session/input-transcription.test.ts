import { describe, expect, it } from 'vitest';
import { gaFixture } from '../test-support/fixtures.js';
import { transcribe } from './input-transcription.js';

const item = {
  item: { id: 'item_x', type: 'message' as const, status: 'completed' as const, role: 'user' as const, content: [] },
  audio: new Int16Array(16_000 * 2), // 2 s in the buffer
  audioRate: 16_000,
  voicedMs: 1450,
};

describe('input transcription stand-in', () => {
  it('whisper-1: duration usage', () => {
    expect(transcribe(item, { model: 'whisper-1' }).completed).toEqual({
      item_id: 'item_x',
      content_index: 0,
      transcript: '(sim) 1.4 s of speech',
      usage: { type: 'duration', seconds: 2 },
    });
  });

  it('logprobs when the session includes them', () => {
    const { delta, completed } = transcribe(item, { model: 'gpt-4o-transcribe' }, true);
    expect(completed.logprobs).toEqual(delta.logprobs);
    expect((completed.logprobs as Array<{ token: string }>).map((l) => l.token).join('')).toBe(completed.transcript);
    expect(transcribe(item, { model: 'gpt-4o-transcribe' }).completed.logprobs).toBeUndefined();
  });

  it('gpt-4o-*-transcribe: token usage shaped like the official example', () => {
    const { completed } = transcribe(item, { model: 'gpt-4o-mini-transcribe' });
    const official = gaFixture.server_events.find((e) => e.event_type === 'conversation.item.input_audio_transcription.completed')?.example as {
      usage: Record<string, unknown>;
    };
    const usage = completed.usage as Record<string, any>;
    expect(Object.keys(usage).sort()).toEqual(Object.keys(official.usage).sort());
    expect(usage.input_token_details).toEqual({ text_tokens: 0, audio_tokens: 20 });
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
  });
});
