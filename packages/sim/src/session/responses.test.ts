import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Agent, AgentContext } from '../agent/agent.js';
import { ParrotAgent } from '../agent/parrot.js';
import { ScenarioAgent } from '../agent/scenario-agent.js';
import { schemaProblems } from '../test-support/fixtures.js';
import { SessionHarness } from '../test-support/session-harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const userText = { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello sim' }] } };

/** A parrot that remembers what it was shown. */
class SpyAgent implements Agent {
  readonly seen: AgentContext[] = [];
  readonly #inner = new ParrotAgent();
  respond(context: AgentContext) {
    this.seen.push(context);
    return this.#inner.respond(context);
  }
}

describe('responses', () => {
  it('text modality: output_text deltas, no audio events, output_text content', async () => {
    const h = new SessionHarness();
    h.client(userText);
    h.client({ type: 'response.create', response: { output_modalities: ['text'] } });
    await h.idle(2000, false);
    const types = h.types(3);
    const deltas = types.filter((t) => t === 'response.output_text.delta').length;
    expect(deltas).toBeGreaterThan(1);
    expect(types).toEqual([
      'response.created',
      'rate_limits.updated',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      ...Array<string>(deltas).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    const text = h.ofType('response.output_text.delta').map((e) => e.delta).join('');
    expect(text).toBe('(sim) you said: hello sim');
    expect(h.first('response.output_text.done').text).toBe(text);
    expect(h.first('response.content_part.added').part).toEqual({ type: 'text', text: '' });
    const done = h.first('response.done').response;
    expect(done.output_modalities).toEqual(['text']);
    expect(done.output[0].content).toEqual([{ type: 'output_text', text }]);
    expect(done.usage.output_token_details.audio_tokens).toBe(0);
    expect(h.outputVoiced.some(Boolean)).toBe(false);
    for (const e of h.sent) expect(schemaProblems(e)).toEqual([]);
  });

  it('per-response instructions reach the agent; metadata is echoed', () => {
    const spy = new SpyAgent();
    const h = new SessionHarness({ instructions: 'session instructions' }, spy);
    h.client(userText);
    h.client({ type: 'response.create', response: { instructions: 'Answer in one word.', metadata: { purpose: 'test' } } });
    expect(spy.seen[0]?.instructions).toBe('Answer in one word.');
    expect(h.first('response.created').response.metadata).toEqual({ purpose: 'test' });
  });

  it('out-of-band (conversation: "none"): conversation_id null, nothing added to the conversation, input [] means no context', async () => {
    const spy = new SpyAgent();
    const h = new SessionHarness({}, spy);
    h.client(userText);
    const before = h.session.conversation.items.length;
    h.client({ type: 'response.create', response: { conversation: 'none', output_modalities: ['text'], input: [] } });
    await h.idle(2000, false);
    expect(spy.seen[0]?.items).toEqual([]);
    const done = h.first('response.done').response;
    expect(done.conversation_id).toBeNull();
    expect(h.ofType('conversation.item.added')).toHaveLength(1); // only the user item
    expect(h.session.conversation.items).toHaveLength(before);
  });

  it('an out-of-band side remark (own instructions, no input) speaks a filler and leaves the scenario where it is', async () => {
    const scenario = new ScenarioAgent({ name: 's', turns: [{ steps: [{ say: 'First scripted answer.' }] }], after: 'parrot' });
    const spy = new SpyAgent();
    const h = new SessionHarness({}, { respond: (c) => (spy.respond(c), scenario.respond(c)) });
    h.client(userText);
    h.client({ type: 'response.create', response: { conversation: 'none', instructions: 'Say you are working on it.', tools: [], metadata: { rtvoice: 'tool_ack' } } });
    await h.idle(3000, false);
    expect(h.first('response.output_audio_transcript.done').transcript).toBe('(sim) One moment, I am still working on it.');
    expect(h.first('response.done').response).toMatchObject({ conversation_id: null, metadata: { rtvoice: 'tool_ack' } });
    expect(spy.seen).toHaveLength(0);
    // The scenario's first turn is still there for the next real response.
    h.client({ type: 'response.create' });
    await h.idle(3000, false);
    expect(h.ofType('response.output_audio_transcript.done').map((e) => e.transcript)).toEqual(['(sim) One moment, I am still working on it.', 'First scripted answer.']);
  });

  it('response.input with item_reference picks items from the conversation', () => {
    const spy = new SpyAgent();
    const h = new SessionHarness({}, spy);
    h.client(userText);
    const id = h.first('conversation.item.added').item.id;
    h.client({ type: 'response.create', response: { conversation: 'none', input: [{ type: 'item_reference', id }, { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Summarize.' }] }] } });
    expect(spy.seen[0]?.items.map((s) => s.item.type)).toEqual(['message', 'message']);
    expect(spy.seen[0]?.items[0]?.item.id).toBe(id);
  });

  it('response.cancel: closing events for the open item, then response.done cancelled/client_cancelled', async () => {
    const h = new SessionHarness();
    h.client(userText);
    h.client({ type: 'response.create' });
    await h.idle(100, false);
    const from = h.sent.length;
    h.client({ type: 'response.cancel' });
    expect(h.types(from)).toEqual([
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    const done = h.first('response.done').response;
    expect(done.status).toBe('cancelled');
    expect(done.status_details).toEqual({ type: 'cancelled', reason: 'client_cancelled' });
    expect(h.first('response.output_item.done').item.status).toBe('incomplete');
    h.client({ type: 'output_audio_buffer.clear' });
    expect(h.first('output_audio_buffer.cleared').response_id).toBe(done.id);
    expect(h.first('conversation.item.truncated').item_id).toBe(done.output[0].id);
  });

  it('a response cancelled before any audio sends no output_audio_buffer events', async () => {
    const agent = new ScenarioAgent({ name: 'slow', turns: [{ steps: [{ wait_ms: 1000 }, { say: 'Late.' }] }] });
    const h = new SessionHarness({}, agent);
    h.client(userText);
    h.client({ type: 'response.create' });
    await h.idle(200, false);
    h.client({ type: 'response.cancel' });
    await h.idle(1500, false);
    expect(h.first('response.done').response).toMatchObject({ status: 'cancelled', output: [] });
    expect(h.types().filter((t) => t.startsWith('output_audio_buffer'))).toEqual([]);
    expect(h.first('response.done').response.usage.output_tokens).toBe(0);
  });

  it('max_output_tokens cuts the audio and ends incomplete', async () => {
    const h = new SessionHarness();
    h.client(userText);
    h.client({ type: 'response.create', response: { max_output_tokens: 20 } });
    await h.idle(3000, false);
    const done = h.first('response.done').response;
    expect(done.status).toBe('incomplete');
    expect(done.status_details).toEqual({ type: 'incomplete', reason: 'max_output_tokens' });
    expect(done.usage.output_tokens).toBeLessThanOrEqual(20 + 8);
  });

  it('output_audio_buffer.started/stopped bracket the played audio; cached tokens grow on later turns', async () => {
    const h = new SessionHarness();
    for (let turn = 0; turn < 6; turn++) {
      h.client(userText);
      h.client({ type: 'response.create' });
      await h.idle(4000, false);
    }
    expect(h.ofType('output_audio_buffer.started')).toHaveLength(6);
    expect(h.ofType('output_audio_buffer.stopped')).toHaveLength(6);
    const usages = h.ofType('response.done').map((e) => e.response.usage);
    expect(usages[0].input_token_details.cached_tokens).toBe(0);
    for (let i = 1; i < usages.length; i++) {
      expect(usages[i].input_tokens).toBeGreaterThan(usages[i - 1].input_tokens);
      expect(usages[i].input_token_details.cached_tokens % 64).toBe(0);
      expect(usages[i].input_token_details.cached_tokens).toBeLessThanOrEqual(usages[i - 1].input_tokens);
    }
    expect(usages.at(-1).input_token_details.cached_tokens).toBeGreaterThan(0);
  });
});
