import { describe, expect, it } from 'vitest';
import { clientEvent } from './client-events.js';
import { fromZodError } from './wire-error.js';

function errorFor(raw: Record<string, unknown>) {
  const parsed = clientEvent.safeParse(raw);
  if (parsed.success) throw new Error('expected a validation error');
  return fromZodError(parsed.error, '', raw);
}

describe('OpenAI-style validation errors', () => {
  it('arrays too long', () => {
    expect(errorFor({ type: 'response.create', response: { output_modalities: ['audio', 'text'] } })).toEqual({
      type: 'invalid_request_error',
      code: 'array_above_max_length',
      message: "Invalid 'response.output_modalities': array too long. Expected an array with maximum length 1, but got an array with length 2 instead.",
      param: 'response.output_modalities',
    });
  });

  it('numbers out of range', () => {
    expect(errorFor({ type: 'session.update', session: { type: 'realtime', audio: { output: { speed: 3.5 } } } })).toMatchObject({
      code: 'decimal_above_max_value',
      param: 'session.audio.output.speed',
    });
    expect(errorFor({ type: 'conversation.item.truncate', item_id: 'x', content_index: 0, audio_end_ms: -5 })).toMatchObject({
      code: 'integer_below_min_value',
      message: "Invalid 'audio_end_ms': integer below minimum value. Expected a value >= 0, but got -5 instead.",
    });
  });

  it('enum values and unknown keys inside a union', () => {
    expect(errorFor({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', eagerness: 'high' } } } } })).toMatchObject({
      code: 'unknown_parameter',
      param: 'session.audio.input.turn_detection.eagerness',
    });
    expect(errorFor({ type: 'session.update', session: { type: 'realtime', output_modalities: ['video'] } })).toMatchObject({
      code: 'invalid_value',
      param: 'session.output_modalities[0]',
      message: "Invalid value: 'video'. Supported values are: 'audio', 'text'.",
    });
  });
});
