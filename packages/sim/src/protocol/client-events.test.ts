import { describe, expect, it } from 'vitest';
import { gaFixture } from '../test-support/fixtures.js';
import { CLIENT_EVENT_TYPES, clientEvent } from './client-events.js';

describe('client event schemas against the official examples', () => {
  it('covers every GA client event type of the spec', () => {
    expect([...CLIENT_EVENT_TYPES].sort()).toEqual(gaFixture.client_events.map((e) => e.event_type).sort());
  });

  it('accepts every official example', () => {
    const examples = gaFixture.client_events.filter((e) => e.example);
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const e of examples) {
      const parsed = clientEvent.safeParse(e.example);
      expect(parsed.success, `${e.event_type}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`).toBe(true);
    }
  });

  it('accepts the out-of-band response.create example (its raw text has comments)', () => {
    const raw = gaFixture.client_events.find((e) => e.event_type === 'response.create') as unknown as { example_raw: string };
    const second = raw.example_raw.split('// Trigger an out-of-band response')[1] ?? '';
    const json = second.slice(second.indexOf('{')).replace(/\/\/[^\n]*/g, '');
    expect(clientEvent.safeParse(JSON.parse(json)).success).toBe(true);
  });

  it('knows the required fields of each event', () => {
    for (const e of gaFixture.client_events) {
      const shape = clientEvent.options.find((o) => o.shape.type.value === e.event_type)?.shape as Record<string, { isOptional(): boolean }>;
      for (const field of e.required_fields) expect(shape[field]?.isOptional(), `${e.event_type}.${field}`).toBe(false);
      for (const key of Object.keys(shape)) expect(e.properties, `${e.event_type} has no ${key}`).toContain(key);
    }
  });
});
