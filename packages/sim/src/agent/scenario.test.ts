import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isSimError } from '../errors.js';
import { guideFixture, schemaProblems } from '../test-support/fixtures.js';
import { SessionHarness } from '../test-support/session-harness.js';
import { ScenarioAgent, render } from './scenario-agent.js';
import { loadShippedScenario, parseScenario, SHIPPED_SCENARIOS } from './scenario-library.js';
import type { Scenario } from './scenario-schema.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const say = (text: string) => ({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });

describe('scenario files', () => {
  it('ships greeting, tool-call and long-answer, all valid', () => {
    for (const name of SHIPPED_SCENARIOS) expect(loadShippedScenario(name).name).toBe(name);
  });

  it('rejects invalid scenarios with invalid_scenario and the offending path', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'x', turns: [] }, /turns/],
      [{ name: 'x', turns: [{ steps: [{ sing: 'la' }] }] }, /turns\[0\]\.steps\[0\]/],
      [{ name: 'x', turns: [{ steps: [{ say: 'a' }] }, { trigger: 'connect', steps: [{ say: 'b' }] }] }, /connect/],
      [{ name: 'Bad Name', turns: [{ steps: [{ say: 'a' }] }] }, /name/],
    ];
    for (const [raw, pattern] of cases) {
      let caught: unknown;
      try {
        parseScenario(raw);
      } catch (e) {
        caught = e;
      }
      expect(isSimError(caught) && caught.code === 'invalid_scenario').toBe(true);
      expect((caught as Error).message).toMatch(pattern);
    }
  });

  it('templates: {{output}}, {{output.path}} and {{user_text}}', () => {
    const items = [
      { item: { id: 'a', type: 'message' as const, status: 'completed' as const, role: 'user' as const, content: [{ type: 'input_text' as const, text: 'hi there' }] } },
      { item: { id: 'b', type: 'function_call_output' as const, call_id: 'c', output: '{"t":{"c":21},"s":"sunny"}' } },
    ];
    expect(render('{{output.t.c}} and {{output.s}}; you said "{{user_text}}"', items)).toBe('21 and sunny; you said "hi there"');
    expect(render('{{output.missing}}', items)).toBe('{"t":{"c":21},"s":"sunny"}');
    expect(render('{{output}}', [])).toBe('');
  });
});

describe('scenario runner', () => {
  it('a turn whose response was cancelled before its call step is answered again from the start', async () => {
    const h = new SessionHarness({ audio: { input: { turn_detection: null } } }, new ScenarioAgent(loadShippedScenario('tool-call')));
    h.client(say('What is the weather in Paris?'));
    h.client({ type: 'response.create' });
    // Cancel while "Let me check the weather for you." is still being generated: no call yet.
    await h.tick();
    h.client({ type: 'response.cancel' });
    await h.idle(2000, false);
    expect(h.first('response.done').response.status).toBe('cancelled');
    expect(h.ofType('response.function_call_arguments.done')).toEqual([]);
    // The next response starts the turn over and makes the call; it does not speak about an output that never came.
    h.client({ type: 'response.create' });
    await h.idle(6000, false);
    const second = h.ofType('response.done')[1]!.response;
    expect(second.status).toBe('completed');
    expect(second.output.map((o: { type: string }) => o.type)).toEqual(['message', 'function_call']);
    const said = h.ofType('response.output_audio_transcript.done').map((e) => e.transcript);
    expect(said.join(' ')).not.toContain('degrees');
  });

  it('tool-call round trip (the guide\'s sequence): say + function call, then speak using the output', async () => {
    const h = new SessionHarness({}, new ScenarioAgent(loadShippedScenario('tool-call')));
    const [update, userMessage] = guideFixture.sequence.filter((s) => s.direction === 'client->server').map((s) => s.event ?? {});
    h.client({ ...update, session: { type: 'realtime', ...(update?.session as object) } });
    h.client(userMessage ?? {});
    h.client({ type: 'response.create' });
    await h.idle(4000, false);
    const first = h.first('response.done').response;
    expect(first.status).toBe('completed');
    expect(first.output.map((o: { type: string }) => o.type)).toEqual(['message', 'function_call']);
    const call = first.output[1];
    expect(call).toMatchObject({ type: 'function_call', status: 'completed', name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(call.call_id).toMatch(/^call_[A-Za-z0-9]{16}$/);
    const fnTypes = h.types().filter((t) => t.includes('function_call') || t.startsWith('response.output_item'));
    expect(fnTypes).toEqual([
      'response.output_item.added',
      'response.output_item.done',
      'response.output_item.added',
      ...Array<string>(h.ofType('response.function_call_arguments.delta').length).fill('response.function_call_arguments.delta'),
      'response.function_call_arguments.done',
      'response.output_item.done',
    ]);
    expect(h.ofType('response.function_call_arguments.delta').map((e) => e.delta).join('')).toBe('{"city":"Paris"}');
    expect(h.first('response.function_call_arguments.done')).toMatchObject({ call_id: call.call_id, name: 'get_weather', output_index: 1 });
    expect(first.usage.output_token_details.audio_tokens).toBeGreaterThan(0);
    // The client answers like the guide: function_call_output, then response.create.
    h.client({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"temperature_c": 21, "conditions": "sunny"}' } });
    h.client({ type: 'response.create' });
    await h.idle(6000, false);
    const second = h.ofType('response.done')[1]?.response;
    expect(second.output[0].content[0].transcript).toBe('In Paris it is 21 degrees and sunny.');
    for (const e of h.sent) expect(schemaProblems(e)).toEqual([]);
  });

  it('text turns and audio turns both advance it; then it falls back to the parrot', async () => {
    const scenario: Scenario = { name: 't', turns: [{ steps: [{ say: 'First.' }] }, { steps: [{ say: 'Second.' }] }] };
    const h = new SessionHarness({}, new ScenarioAgent(scenario));
    h.client(say('one'));
    h.client({ type: 'response.create' });
    await h.idle(3000, false);
    h.client(say('two'));
    h.client({ type: 'response.create' });
    await h.idle(3000, false);
    h.client(say('three'));
    h.client({ type: 'response.create' });
    await h.idle(4000, false);
    expect(h.ofType('response.output_audio_transcript.done').map((e) => e.transcript)).toEqual(['First.', 'Second.', '(sim) you said: three']);
  });

  it('error and end steps: an error event, then the session closes after the response', async () => {
    const scenario: Scenario = {
      name: 'e',
      turns: [{ steps: [{ wait_ms: 300 }, { error: { code: 'sim_scripted', message: 'Scripted failure.' } }, { say: 'Goodbye.' }, { end: true }] }],
    };
    const h = new SessionHarness({}, new ScenarioAgent(scenario));
    h.client(say('hi'));
    h.client({ type: 'response.create' });
    await h.idle(200, false);
    expect(h.ofType('error')).toHaveLength(0);
    await h.idle(200, false);
    expect(h.first('error').error).toEqual({ type: 'server_error', code: 'sim_scripted', message: 'Scripted failure.', param: null, event_id: null });
    expect(h.transportClosed).toBe(false);
    await h.idle(3000, false);
    const types = h.types();
    expect(types.at(-1)).toBe('output_audio_buffer.stopped');
    expect(types.indexOf('response.done')).toBeGreaterThan(types.indexOf('error'));
    expect(h.transportClosed).toBe(true);
    expect(h.session.closed).toBe(true);
    expect(h.session.timers.size).toBe(0);
  });
});
