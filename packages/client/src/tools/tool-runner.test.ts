// @vitest-environment happy-dom
/*
 * Tool calls end to end through a VoiceSession on a FakeTransport: what the
 * model is sent back (`function_call_output`, then exactly one `response.create`
 * once no response is active), the events the app sees, and the slow-tool
 * acknowledgement. Time is fake.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession, deferred, flush, installMicrophone, record, sentTypes } from '../../test/harness.js';
import type { VoiceSessionOptions } from '../options.js';
import type { ToolDefinition } from './types.js';

const CREATE = { type: 'response.create', event_id: expect.stringMatching(/^rtv_response_\d+$/) };
const output = (callId: string, out: string) => ({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: out } });

beforeEach(() => {
  installMicrophone();
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A connected session with `tools`; what it sent while connecting is cleared. */
async function connected(tools: ToolDefinition[], options: Partial<VoiceSessionOptions> = {}) {
  const h = createSession({ tools, ...options });
  await h.session.connect();
  h.fake.sent.length = 0;
  return Object.assign(h, { calls: record(h.session, 'toolCall'), results: record(h.session, 'toolResult'), toolErrors: record(h.session, 'toolError') });
}

/** The server starts response `id`, which calls `name` with `args` (the response stays active). */
function callIn(h: Awaited<ReturnType<typeof connected>>, id: string, calls: Array<{ callId: string; name: string; args?: string }>) {
  h.fake.receive({ type: 'response.created', response: { id, status: 'in_progress', output: [] } });
  for (const [i, c] of calls.entries()) {
    h.fake.receive({ type: 'response.function_call_arguments.done', response_id: id, item_id: `item_${c.callId}`, output_index: i, call_id: c.callId, name: c.name, arguments: c.args ?? '{}' });
  }
}

const done = (h: Awaited<ReturnType<typeof connected>>, id: string, metadata?: Record<string, unknown>) =>
  h.fake.receive({ type: 'response.done', response: { id, status: 'completed', output: [], ...(metadata && { metadata }) } });

describe('tool declarations', () => {
  it('declares the tools (without execute) in the session.update sent at connect, after the configured ones', async () => {
    const serverTool = { type: 'function', name: 'server_side', description: 'Declared by the app.', parameters: { type: 'object', properties: {} } };
    const h = createSession({
      session: { instructions: 'Be brief.', tools: [serverTool] },
      tools: [
        { name: 'get_time', description: 'The time.', parameters: { type: 'object', properties: { tz: { type: 'string' } } }, execute: () => 'noon' },
        { name: 'ping', execute: () => 'pong' },
      ],
    });
    await h.session.connect();
    expect(h.fake.sent).toEqual([
      {
        type: 'session.update',
        session: {
          type: 'realtime',
          instructions: 'Be brief.',
          tools: [
            serverTool,
            { type: 'function', name: 'get_time', description: 'The time.', parameters: { type: 'object', properties: { tz: { type: 'string' } } } },
            { type: 'function', name: 'ping', description: '', parameters: { type: 'object', properties: {} } },
          ],
        },
      },
    ]);
  });
});

describe('a server-controlled call (callUrl)', () => {
  it("connects through the app's call endpoint with no key and the app's request options", async () => {
    const h = createSession({ callUrl: '/api/call', tokenRequest: { headers: { 'X-CSRF': 't' }, credentials: 'include' } });
    await h.session.connect();
    expect(h.fake.connectParams).toMatchObject({ callsUrl: '/api/call', ephemeralKey: '', request: { headers: { 'X-CSRF': 't' }, credentials: 'include' } });
    expect(h.getToken).not.toHaveBeenCalled();
  });

  it('leaves tools the page did not declare to the server, and still runs its own', async () => {
    const execute = vi.fn(async () => 'sunny');
    const h = await connected([{ name: 'get_weather', execute }], { callUrl: '/api/call' });
    callIn(h, 'resp_1', [{ callId: 'call_server', name: 'lookup_order', args: '{"id":"A1"}' }]);
    await flush();
    expect(h.calls).toEqual([]);
    expect(h.toolErrors).toEqual([]);
    expect(h.errors).toEqual([]);
    done(h, 'resp_1');
    await flush();
    expect(sentTypes(h.fake)).toEqual([]);
    callIn(h, 'resp_2', [{ callId: 'call_page', name: 'get_weather' }]);
    await flush();
    expect(execute).toHaveBeenCalledTimes(1);
    expect(h.fake.sent[0]).toMatchObject(output('call_page', 'sunny'));
  });

  it('reports an undeclared tool as tool_failed when the call is not server-controlled', async () => {
    const h = await connected([]);
    callIn(h, 'resp_1', [{ callId: 'call_x', name: 'lookup_order' }]);
    await flush();
    expect(h.toolErrors.map((e) => e.error.code)).toEqual(['tool_failed']);
  });
});

describe('a tool call', () => {
  it('runs a fast tool once and sends its output, then one response.create', async () => {
    const execute = vi.fn((args: { tz: string }) => ({ time: '12:00', tz: args.tz }));
    const h = await connected([{ name: 'get_time', execute }]);
    const callId = h.fake.toolCall('get_time', { tz: 'UTC' });
    await flush();
    expect(execute).toHaveBeenCalledOnce();
    const [args, context] = execute.mock.calls[0]! as unknown as [unknown, { callId: string; signal: AbortSignal; session: unknown }];
    expect(args).toEqual({ tz: 'UTC' });
    expect(context.callId).toBe(callId);
    expect(context.session).toBe(h.session);
    expect(context.signal.aborted).toBe(false);
    expect(h.fake.sent).toEqual([output(callId, '{"time":"12:00","tz":"UTC"}'), CREATE]);
    expect(h.calls).toEqual([{ callId, name: 'get_time', args: { tz: 'UTC' } }]);
    expect(h.results).toEqual([{ callId, name: 'get_time', result: { time: '12:00', tz: 'UTC' }, output: '{"time":"12:00","tz":"UTC"}', durationMs: 0 }]);
    expect(h.toolErrors).toEqual([]);
    expect(h.errors).toEqual([]);
    expect(h.session.history.filter((i) => i.type === 'function_call')).toEqual([
      { type: 'function_call', id: expect.any(String), callId, name: 'get_time', arguments: '{"tz":"UTC"}', output: '{"time":"12:00","tz":"UTC"}', status: 'completed' },
    ]);
  });

  it('sends a string result as is, and undefined as null', async () => {
    const h = await connected([
      { name: 'text', execute: () => 'plain text' },
      { name: 'nothing', execute: () => undefined },
    ]);
    const a = h.fake.toolCall('text');
    await flush();
    const b = h.fake.toolCall('nothing');
    await flush();
    expect(h.fake.sent).toEqual([output(a, 'plain text'), CREATE, output(b, 'null'), CREATE]);
  });

  it('runs a tool called with empty arguments with {}', async () => {
    const execute = vi.fn((_args: unknown) => 'ok');
    const h = await connected([{ name: 'ping', execute }]);
    h.fake.toolCall('ping', '');
    await flush();
    expect(execute.mock.calls[0]![0]).toEqual({});
  });

  it('has a slow tool acknowledged out of band after 1500 ms, then sends the output and one response.create after the acknowledgement ends', async () => {
    const result = deferred<unknown>();
    const h = await connected([{ name: 'search', execute: () => result.promise }]);
    const callId = h.fake.toolCall('search', { q: 'flights' });
    await vi.advanceTimersByTimeAsync(1499);
    expect(h.fake.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.fake.sent).toEqual([
      { ...CREATE, response: { conversation: 'none', instructions: expect.any(String), tools: [], metadata: { rtvoice: 'tool_ack' } } },
    ]);
    // The server speaks the acknowledgement; the tool finishes meanwhile.
    h.fake.receive({ type: 'response.created', response: { id: 'resp_ack', status: 'in_progress', output: [] } });
    result.resolve({ hits: 3 });
    await flush();
    expect(h.fake.sent.slice(1)).toEqual([output(callId, '{"hits":3}')]);
    done(h, 'resp_ack', { rtvoice: 'tool_ack' });
    expect(h.fake.sent.slice(1)).toEqual([output(callId, '{"hits":3}'), CREATE]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sentTypes(h.fake)).toEqual(['response.create', 'conversation.item.create', 'response.create']);
  });

  it('uses the toolAck delay and instructions given in the options', async () => {
    const h = await connected([{ name: 'search', execute: () => new Promise(() => undefined) }], {
      toolAck: { afterMs: 300, instructions: 'Say: one moment.' },
    });
    h.fake.toolCall('search');
    await vi.advanceTimersByTimeAsync(300);
    expect(h.fake.sent).toEqual([{ ...CREATE, response: { conversation: 'none', instructions: 'Say: one moment.', tools: [], metadata: { rtvoice: 'tool_ack' } } }]);
  });

  it('does not acknowledge a tool that answers in time, nor any tool with toolAck: false', async () => {
    const fast = deferred<unknown>();
    const h = await connected([{ name: 'fast', execute: () => fast.promise }]);
    const callId = h.fake.toolCall('fast');
    await vi.advanceTimersByTimeAsync(1000);
    fast.resolve('done');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.fake.sent).toEqual([output(callId, 'done'), CREATE]);

    const quiet = await connected([{ name: 'slow', execute: () => new Promise(() => undefined) }], { toolAck: false, toolTimeoutMs: 60_000 });
    quiet.fake.toolCall('slow');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(quiet.fake.sent).toEqual([]);
  });

  it('withdraws an acknowledgement still queued behind the calling response when the tool finishes', async () => {
    const result = deferred<unknown>();
    const h = await connected([{ name: 'search', execute: () => result.promise }]);
    callIn(h, 'resp_1', [{ callId: 'call_1', name: 'search' }]);
    await vi.advanceTimersByTimeAsync(2000); // the acknowledgement is due, but resp_1 is still active
    expect(h.fake.sent).toEqual([]);
    result.resolve('found');
    await flush();
    done(h, 'resp_1');
    expect(h.fake.sent).toEqual([output('call_1', 'found'), CREATE]);
  });

  it('reports a throwing tool as tool_failed, tells the model, and asks for the answer', async () => {
    const boom = new Error('boom');
    const h = await connected([
      {
        name: 'explode',
        execute: () => {
          throw boom;
        },
      },
    ]);
    const callId = h.fake.toolCall('explode', { n: 1 });
    await flush();
    const sentOutput = JSON.stringify({ error: "Tool 'explode' failed: boom" });
    expect(h.fake.sent).toEqual([output(callId, sentOutput), CREATE]);
    expect(h.toolErrors).toEqual([{ callId, name: 'explode', error: expect.objectContaining({ code: 'tool_failed', cause: boom }) }]);
    expect(h.errors.map((e) => e.code)).toEqual(['tool_failed']);
    expect(h.errors[0]).toBe(h.toolErrors[0]!.error);
    expect(h.results).toEqual([]);
    expect(h.session.state).toBe('connected');
    expect(h.session.history.find((i) => i.type === 'function_call')).toMatchObject({ callId, output: sentOutput, status: 'failed' });
  });

  it('reports a rejecting async tool the same way', async () => {
    const h = await connected([
      {
        name: 'explode',
        execute: async () => {
          throw new TypeError('bad input');
        },
      },
    ]);
    const callId = h.fake.toolCall('explode');
    await flush();
    expect(h.fake.sent).toEqual([output(callId, JSON.stringify({ error: "Tool 'explode' failed: bad input" })), CREATE]);
    expect(h.toolErrors.map((e) => e.error.code)).toEqual(['tool_failed']);
  });

  it('abandons a tool after toolTimeoutMs: its signal aborts with tool_timeout and the model is told', async () => {
    let signal: AbortSignal | undefined;
    const late = deferred<unknown>();
    const h = await connected(
      [
        {
          name: 'slow',
          execute: (_args, context) => {
            signal = context.signal;
            return late.promise;
          },
        },
      ],
      { toolTimeoutMs: 5000, toolAck: false },
    );
    const callId = h.fake.toolCall('slow');
    await vi.advanceTimersByTimeAsync(4999);
    expect(signal?.aborted).toBe(false);
    expect(h.fake.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ code: 'tool_timeout' });
    expect(h.fake.sent).toEqual([output(callId, JSON.stringify({ error: "Tool 'slow' failed: timed out" })), CREATE]);
    expect(h.toolErrors).toEqual([{ callId, name: 'slow', error: expect.objectContaining({ code: 'tool_timeout' }) }]);
    expect(h.errors.map((e) => e.code)).toEqual(['tool_timeout']);
    // A result that comes after the timeout is dropped.
    late.resolve('too late');
    await flush();
    expect(h.fake.sent).toHaveLength(2);
    expect(h.results).toEqual([]);
  });

  it('runs a call_id once even when the call is delivered again, during or after the run', async () => {
    const execute = vi.fn(() => 'once');
    const h = await connected([{ name: 'ping', execute }]);
    callIn(h, 'resp_1', [
      { callId: 'call_dup', name: 'ping' },
      { callId: 'call_dup', name: 'ping' },
    ]);
    done(h, 'resp_1');
    await flush();
    expect(h.fake.sent).toEqual([output('call_dup', 'once'), CREATE]);
    // Replayed after it finished.
    h.fake.receive({ type: 'response.function_call_arguments.done', response_id: 'resp_1', item_id: 'item_call_dup', call_id: 'call_dup', name: 'ping', arguments: '{}' });
    await flush();
    expect(execute).toHaveBeenCalledOnce();
    expect(h.calls).toHaveLength(1);
    expect(h.fake.sent).toHaveLength(2);
    expect(h.session.history.filter((i) => i.type === 'function_call')).toEqual([expect.objectContaining({ callId: 'call_dup', output: 'once', status: 'completed' })]);
  });

  it('sends the output at once but holds response.create until another active response is done', async () => {
    const result = deferred<unknown>();
    const h = await connected([{ name: 'lookup', execute: () => result.promise }], { toolAck: false });
    const callId = h.fake.toolCall('lookup');
    // Meanwhile the user spoke and the server started an answer on its own.
    h.fake.receive({ type: 'response.created', response: { id: 'resp_vad', status: 'in_progress', output: [] } });
    result.resolve('found it');
    await flush();
    expect(h.fake.sent).toEqual([output(callId, 'found it')]);
    done(h, 'resp_vad');
    expect(h.fake.sent).toEqual([output(callId, 'found it'), CREATE]);
  });

  it('tells the model about a tool it was not given (tool_failed)', async () => {
    const h = await connected([{ name: 'known', execute: () => 'x' }]);
    const callId = h.fake.toolCall('unknown_tool', { a: 1 });
    await flush();
    expect(h.fake.sent).toEqual([output(callId, expect.stringContaining('unknown_tool')), CREATE]);
    expect(JSON.parse((h.fake.sent[0]!.item as { output: string }).output)).toEqual({ error: expect.stringMatching(/^Tool 'unknown_tool' failed: /) });
    expect(h.calls).toEqual([{ callId, name: 'unknown_tool', args: { a: 1 } }]);
    expect(h.toolErrors).toEqual([{ callId, name: 'unknown_tool', error: expect.objectContaining({ code: 'tool_failed' }) }]);
  });

  it('does not run a tool whose arguments are not JSON, and tells the model', async () => {
    const execute = vi.fn(() => 'x');
    const h = await connected([{ name: 'get_time', execute }]);
    const callId = h.fake.toolCall('get_time', '{"tz": ');
    await flush();
    expect(execute).not.toHaveBeenCalled();
    expect(h.calls).toEqual([{ callId, name: 'get_time', args: undefined }]);
    expect(h.fake.sent).toEqual([output(callId, expect.stringMatching(/^\{"error":"Tool 'get_time' failed: .*JSON/)), CREATE]);
    expect(h.toolErrors.map((e) => e.error.code)).toEqual(['tool_failed']);
  });

  it('answers two parallel calls with two outputs and exactly one response.create, after the last one', async () => {
    const a = deferred<unknown>();
    const b = deferred<unknown>();
    const h = await connected(
      [
        { name: 'a', execute: () => a.promise },
        { name: 'b', execute: () => b.promise },
      ],
      { toolAck: false },
    );
    callIn(h, 'resp_1', [
      { callId: 'call_a', name: 'a' },
      { callId: 'call_b', name: 'b' },
    ]);
    done(h, 'resp_1');
    b.resolve('B');
    await flush();
    expect(h.fake.sent).toEqual([output('call_b', 'B')]);
    a.resolve('A');
    await flush();
    expect(h.fake.sent).toEqual([output('call_b', 'B'), output('call_a', 'A'), CREATE]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.fake.sentOfType('response.create')).toHaveLength(1);
  });

  it('answers two calls that finish together with one response.create', async () => {
    const h = await connected([
      { name: 'a', execute: async () => 'A' },
      { name: 'b', execute: async () => 'B' },
    ]);
    callIn(h, 'resp_1', [
      { callId: 'call_a', name: 'a' },
      { callId: 'call_b', name: 'b' },
    ]);
    await flush();
    expect(h.fake.sent).toEqual([output('call_a', 'A'), output('call_b', 'B')]);
    done(h, 'resp_1');
    expect(h.fake.sent).toEqual([output('call_a', 'A'), output('call_b', 'B'), CREATE]);
  });

  it('aborts a running tool when the session disconnects, and sends nothing afterwards', async () => {
    let signal: AbortSignal | undefined;
    const result = deferred<unknown>();
    const h = await connected([
      {
        name: 'slow',
        execute: (_args, context) => {
          signal = context.signal;
          return result.promise;
        },
      },
    ]);
    const fake = h.fake;
    fake.toolCall('slow');
    await flush();
    await h.session.disconnect();
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ code: 'aborted' });
    result.resolve('late');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.sent).toEqual([]);
    expect(h.toolErrors).toEqual([]);
    expect(h.results).toEqual([]);
  });
});
