import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeServerEvent, isServerEvent, knownServerEventTypes } from './server-events.js';

interface FixtureEvent {
  event_type: string;
  example?: Record<string, unknown>;
  example_is_valid_json?: boolean;
}

const fixtures = JSON.parse(
  readFileSync(new URL('../../../sim/src/test-support/fixtures/ga_openapi_event_examples.openai-openapi.json', import.meta.url), 'utf8'),
) as { server_events: FixtureEvent[] };

const examples = fixtures.server_events.filter((e) => e.example_is_valid_json && e.example);

describe('decodeServerEvent against the official GA examples', () => {
  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThan(30);
  });

  it.each(examples.map((e) => [e.event_type, e.example!] as const))('accepts the official %s example', (type, example) => {
    const result = decodeServerEvent(JSON.stringify(example));
    expect(result.ok, result.ok ? '' : result.reason).toBe(true);
    if (result.ok) expect(result.event.type).toBe(type);
  });

  it('only has schemas for event types the official spec defines', () => {
    const official = new Set(fixtures.server_events.map((e) => e.event_type));
    expect(knownServerEventTypes().filter((t) => !official.has(t))).toEqual([]);
  });
});

describe('decodeServerEvent on bad frames', () => {
  it.each([
    ['not JSON', '{"type":', 'frame is not valid JSON'],
    ['an array', '[1,2]', 'frame is not a JSON object'],
    ['null', 'null', 'frame is not a JSON object'],
    ['no type', '{"event_id":"e"}', "event has no string 'type'"],
    ['an empty type', '{"type":""}', "event has no string 'type'"],
    ['a wrong field type', '{"type":"response.done","response":{"id":7}}', "'response.done' event is invalid at 'response.id'"],
    ['a missing payload', '{"type":"response.done"}', "'response.done' event is invalid at 'response'"],
    ['a null payload', '{"type":"response.created","response":null}', "'response.created' event is invalid at 'response'"],
    ['a missing number', '{"type":"input_audio_buffer.speech_started","item_id":"i"}', "'input_audio_buffer.speech_started' event is invalid at 'audio_start_ms'"],
    ['a number where text goes', '{"type":"response.output_audio_transcript.delta","response_id":"r","item_id":"i","delta":5}', "'response.output_audio_transcript.delta' event is invalid at 'delta'"],
    ['an item without an id', '{"type":"conversation.item.added","item":{"type":"message"}}', "'conversation.item.added' event is invalid at 'item.id'"],
    ['an error without a message', '{"type":"error","error":{"type":"invalid_request_error"}}', "'error' event is invalid at 'error.message'"],
  ])('rejects %s with a reason', (_label, frame, reason) => {
    expect(decodeServerEvent(frame)).toEqual({ ok: false, reason });
  });

  it('rejects a frame that is not text', () => {
    expect(decodeServerEvent(new ArrayBuffer(4))).toEqual({ ok: false, reason: 'frame is not text' });
  });

  it('passes a well-formed unknown event through, without a GA type', () => {
    expect(decodeServerEvent('{"type":"response.output_item.added","item":{"x":1}}')).toEqual({
      ok: true,
      event: { type: 'response.output_item.added', item: { x: 1 } },
      gaType: undefined,
    });
  });

  it('keeps unknown fields of known events (the service adds fields without notice)', () => {
    const result = decodeServerEvent(
      JSON.stringify({ type: 'response.output_audio_transcript.delta', response_id: 'r', item_id: 'i', delta: 'x', obfuscation: 'abc' }),
    );
    expect(result.ok && result.event).toMatchObject({ obfuscation: 'abc' });
  });

  it('passes retired beta names through as unknown events, unvalidated and unrouted', () => {
    const result = decodeServerEvent(JSON.stringify({ type: 'response.audio_transcript.done', response_id: 'r', item_id: 'i' }));
    expect(result).toMatchObject({ ok: true, gaType: undefined });
    if (result.ok) expect(isServerEvent(result.event, 'response.output_audio_transcript.done')).toBe(false);
  });
});
