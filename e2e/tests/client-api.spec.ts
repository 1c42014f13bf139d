import { expect, test, type Page } from '@playwright/test';
import {
  assistantSaid,
  call,
  eventsOf,
  maxOutput,
  pageFn,
  peerConnections,
  recorded,
  sentOf,
  sessionInfo,
  startClient,
  stopClient,
  waitFor,
  type HistoryItem,
  type Recorded,
} from '../support/client-page.js';
import { AUDIBLE, LONG_ANSWER, SILENT, VAD, messages } from '../support/fixtures.js';
import { useStack } from '../support/stack.js';

// The complete @rtvoice/client API in real Chromium, over real WebRTC, against
// the sim (through the @rtvoice/server token endpoint). The fake mic plays
// `speech.wav` in a loop: 0.5 s of silence, ~3.5 s of speech, 7 s of silence.
// Timings are only compared with each other, never with a fixed latency.

const stack = useStack();

const WEATHER_ANSWER = 'In Paris it is 21 degrees and sunny.';
const FILLER = '(sim) One moment, I am still working on it.';
const calls = (h: HistoryItem[]) => h.filter((i): i is Extract<HistoryItem, { type: 'function_call' }> => i.type === 'function_call');
const responseIdOf = (e: Record<string, unknown>) => (e.response as { id: string }).id;

/** The time the server said it started streaming the audio of `responseId`. */
const audioStartOf = (r: Recorded, responseId: string) => eventsOf(r, 'output_audio_buffer.started').find((e) => e.response_id === responseId)?.at;

/** The response whose transcript is `text`. */
function responseSaying(r: Recorded, text: string): string | undefined {
  return r.transcripts.find((t) => t.role === 'assistant' && t.text === text)?.responseId;
}

async function sendText(page: Page, text: string): Promise<void> {
  expect(await call(page, 'sendText', text)).toBeNull();
}

test.describe('tools declared with `tools`', () => {
  test('a fast tool: the model calls it, rtvoice runs execute, sends the output and one response.create, and the answer is spoken from it', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: 'sim_scenario=tool-call', tool: 'weather', muted: true });
    // The declaration went out in the session.update at connect and the server took it.
    const declared = await waitFor(page, (r) =>
      eventsOf(r, 'session.updated')
        .map((e) => (e.session as { tools?: Array<{ name: string; type: string }> }).tools ?? [])
        .find((tools) => tools.some((t) => t.name === 'get_weather')),
    );
    expect(declared).toEqual([expect.objectContaining({ type: 'function', name: 'get_weather', parameters: expect.objectContaining({ required: ['city'] }) })]);

    await sendText(page, 'What is the weather in Paris?');
    await waitFor(page, (r) => responseSaying(r, WEATHER_ANSWER), 20_000, 'the answer built from the tool output');
    const r = await recorded(page);

    expect(r.toolCalls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } })]);
    const callId = r.toolCalls[0]!.callId;
    expect(r.toolResults).toEqual([expect.objectContaining({ callId, name: 'get_weather', result: { city: 'Paris', temperature_c: 21, conditions: 'sunny' } })]);
    expect(JSON.parse(r.toolResults[0]!.output)).toEqual({ city: 'Paris', temperature_c: 21, conditions: 'sunny' });
    expect(r.toolErrors).toEqual([]);

    // Client side of the round trip: the output once, then exactly one response.create, and no acknowledgement (the tool was fast).
    const outputs = sentOf(r, 'conversation.item.create').filter((s) => (s.event.item as { type: string }).type === 'function_call_output');
    expect(outputs.map((s) => (s.event.item as { call_id: string }).call_id)).toEqual([callId]);
    const creates = sentOf(r, 'response.create');
    expect(creates).toHaveLength(2); // the typed message's, and the one after the output
    expect(creates[1]!.t).toBeGreaterThanOrEqual(outputs[0]!.t);
    expect(creates.some((s) => (s.event.response as { conversation?: string } | undefined)?.conversation === 'none')).toBe(false);
    // The calling response was done before the answer was asked for.
    const callDone = eventsOf(r, 'response.done').find((e) => (e.response as { output: Array<{ type: string }> }).output.some((o) => o.type === 'function_call'))!;
    expect(creates[1]!.t).toBeGreaterThanOrEqual(callDone.at);

    // The answer is heard.
    const answer = responseSaying(r, WEATHER_ANSWER)!;
    const heardFrom = audioStartOf(r, answer)!;
    await expect.poll(async () => maxOutput(await recorded(page), heardFrom), { timeout: 10_000 }).toBeGreaterThan(AUDIBLE);

    // History: the question, the announcement, the call with its output, the answer, in that order.
    const { history } = await sessionInfo(page);
    const at = (pred: (i: HistoryItem) => boolean) => history.findIndex(pred);
    const question = at((i) => i.type === 'message' && i.role === 'user' && i.text === 'What is the weather in Paris?');
    const announce = at((i) => i.type === 'message' && i.role === 'assistant' && i.text === 'Let me check the weather for you.');
    const fn = at((i) => i.type === 'function_call');
    const said = at((i) => i.type === 'message' && i.role === 'assistant' && i.text === WEATHER_ANSWER);
    expect([question, announce, fn, said].every((i) => i >= 0), JSON.stringify(history)).toBe(true);
    expect(question < announce && announce < fn && fn < said, JSON.stringify(history)).toBe(true);
    expect(history[fn]).toMatchObject({ type: 'function_call', callId, name: 'get_weather', status: 'completed', output: r.toolResults[0]!.output });
    expect(JSON.parse((history[fn] as { arguments: string }).arguments)).toEqual({ city: 'Paris' });
    expect(r.errors).toEqual([]);
    await stopClient(page);
  });

  test('a slow tool: the filler acknowledgement is spoken first, out of band, then the answer from its output', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: 'sim_scenario=tool-call', tool: 'weather', toolDelayMs: 3000, muted: true });
    await sendText(page, 'What is the weather in Paris?');
    // The answer's transcript can be complete before its audio starts playing: wait for both.
    await waitFor(
      page,
      (x) => {
        const a = responseSaying(x, WEATHER_ANSWER);
        return a && audioStartOf(x, a) !== undefined ? a : undefined;
      },
      25_000,
      'the answer built from the tool output, playing',
    );
    const r = await recorded(page);

    expect(r.toolCalls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } })]);
    expect(r.toolResults).toHaveLength(1);
    const [toolCall, result] = [r.toolCalls[0]!, r.toolResults[0]!];
    expect(result.callId).toBe(toolCall.callId);
    expect(result.durationMs).toBeGreaterThanOrEqual(2900);

    // While the tool ran, rtvoice asked for an out-of-band side remark...
    const acks = sentOf(r, 'response.create').filter((s) => (s.event.response as { conversation?: string } | undefined)?.conversation === 'none');
    expect(acks).toHaveLength(1);
    expect(acks[0]!.event.response).toMatchObject({ conversation: 'none', instructions: expect.any(String) });
    expect(acks[0]!.t).toBeGreaterThan(toolCall.t);
    expect(acks[0]!.t).toBeLessThan(result.t);
    // ...which the sim answers with its filler, out of the conversation...
    const filler = responseSaying(r, FILLER);
    expect(filler, JSON.stringify(assistantSaid(r))).toBeDefined();
    const fillerDone = eventsOf(r, 'response.done').find((e) => responseIdOf(e) === filler)!;
    expect((fillerDone.response as { conversation_id: string | null }).conversation_id).toBeNull();
    // ...and it is heard before the tool's result is even known, the answer after it.
    const answer = responseSaying(r, WEATHER_ANSWER)!;
    const fillerAudio = audioStartOf(r, filler!)!;
    const answerAudio = audioStartOf(r, answer)!;
    expect(fillerAudio).toBeLessThan(result.t);
    expect(answerAudio).toBeGreaterThan(fillerAudio);
    expect(answerAudio).toBeGreaterThan(result.t);
    expect(maxOutput(r, fillerAudio, answerAudio)).toBeGreaterThan(AUDIBLE);
    expect(assistantSaid(r)).toEqual(['Let me check the weather for you.', FILLER, WEATHER_ANSWER]);
    await expect.poll(async () => maxOutput(await recorded(page), answerAudio), { timeout: 10_000 }).toBeGreaterThan(AUDIBLE);

    // The output went back once, then one response.create for the answer.
    const outputs = sentOf(r, 'conversation.item.create').filter((s) => (s.event.item as { type: string }).type === 'function_call_output');
    expect(outputs).toHaveLength(1);
    expect(sentOf(r, 'response.create').filter((s) => s.t >= outputs[0]!.t)).toHaveLength(1);

    const { history } = await sessionInfo(page);
    expect(calls(history)).toEqual([
      expect.objectContaining({ callId: toolCall.callId, name: 'get_weather', status: 'completed', output: result.output }),
    ]);
    // The side remark was heard but is not part of the conversation: not in the history (nor replayed after a reconnection).
    expect(messages(history).map((m) => m.text)).toEqual(['What is the weather in Paris?', 'Let me check the weather for you.', WEATHER_ANSWER]);
    expect(r.errors).toEqual([]);
    await stopClient(page);
  });
});

test.describe('barge-in', () => {
  test('speaking over a playing answer: local audio goes silent at once, `interrupted`, and the history item is cut to what was heard', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: 'sim_scenario=long-answer', session: VAD });
    // The answer runs ~25 s; the fake mic speaks again ~7 s after it starts.
    const interrupted = await waitFor(page, (r) => r.interrupted[0], 35_000, 'an interruption');
    let r = await recorded(page);

    expect(interrupted).toMatchObject({ source: 'vad', responseId: expect.any(String), itemId: expect.any(String) });
    // Local playback was off in the very task that reported the interruption.
    expect(interrupted.remoteTrackEnabled).toBe(false);
    expect(interrupted.audioEndMs).toBeGreaterThan(1000);
    const started = audioStartOf(r, interrupted.responseId!)!;
    expect(started).toBeLessThan(interrupted.t);
    // Audible before, silent after.
    expect(maxOutput(r, started, interrupted.t)).toBeGreaterThan(AUDIBLE);
    await expect.poll(async () => (await recorded(page)).levels.filter((l) => l.t > interrupted.t + 100).length).toBeGreaterThan(10);
    r = await recorded(page);
    const nextStart = eventsOf(r, 'output_audio_buffer.started').find((e) => e.at > interrupted.t)?.at ?? Infinity;
    expect(maxOutput(r, interrupted.t + 100, Math.min(nextStart, interrupted.t + 1000))).toBeLessThan(SILENT);

    // The server was asked to stop what was still running: the response (active) and the audio (playing).
    const speech = eventsOf(r, 'input_audio_buffer.speech_started').filter((e) => e.at > started)[0]!;
    const after = r.sent.filter((s) => s.t >= speech.at).map((s) => s.event.type);
    expect(after.slice(0, 2).sort()).toEqual(['output_audio_buffer.clear', 'response.cancel']);
    const done = eventsOf(r, 'response.done').find((e) => responseIdOf(e) === interrupted.responseId)!;
    expect((done.response as { status: string }).status).toBe('cancelled');
    expect(sentOf(r, 'response.cancel')[0]!.t).toBeLessThanOrEqual(done.at);

    // The history keeps only what was heard.
    const truncated = await waitFor(page, (x) => eventsOf(x, 'conversation.item.truncated').find((e) => e.item_id === interrupted.itemId));
    await expect
      .poll(async () => messages((await sessionInfo(page)).history).find((m) => m.id === interrupted.itemId)?.audioEndMs)
      .toBe(truncated.audio_end_ms);
    const item = messages((await sessionInfo(page)).history).find((m) => m.id === interrupted.itemId)!;
    expect(item).toMatchObject({ role: 'assistant', interrupted: true, status: 'incomplete' });
    // A beginning of the answer, shorter than the whole transcript and than what had been generated.
    expect(item.text.length).toBeGreaterThan(0);
    expect(LONG_ANSWER.startsWith(item.text)).toBe(true);
    expect(item.text.length).toBeLessThan(LONG_ANSWER.length);
    const generated = r.transcripts.find((t) => t.itemId === interrupted.itemId)?.text;
    if (generated) expect(item.text.length).toBeLessThan(generated.length);

    // The user's words become the next turn, and its answer is heard again: the silence was lifted.
    const next = await waitFor(page, (x) => eventsOf(x, 'output_audio_buffer.started').find((e) => e.at > interrupted.t)?.at, 20_000);
    await expect.poll(async () => maxOutput(await recorded(page), next), { timeout: 10_000 }).toBeGreaterThan(AUDIBLE);
    expect((await sessionInfo(page)).remote?.enabled).toBe(true);
    r = await recorded(page);
    expect(r.states).toEqual(['connecting', 'connected']);
    expect(r.errors).toEqual([]);
    await stopClient(page);
  });

  test('interrupt(): the app cuts the answer off; local audio silent at once, the server stops and truncates', async ({ page }) => {
    await startClient(page, stack().url, { tokenQuery: 'sim_scenario=long-answer', muted: true });
    await sendText(page, 'Tell me something long.');
    const started = await waitFor(page, (r) => eventsOf(r, 'output_audio_buffer.started')[0]?.at);
    await expect.poll(async () => maxOutput(await recorded(page), started), { timeout: 10_000 }).toBeGreaterThan(AUDIBLE);
    await page.waitForTimeout(1500);
    const sentBefore = (await recorded(page)).sent.length;
    expect(await call(page, 'interrupt')).toBe(true);
    let r = await recorded(page);
    const cut = r.interrupted[0]!;
    expect(cut).toMatchObject({ source: 'manual', remoteTrackEnabled: false, itemId: expect.any(String) });
    const sent = r.sent.slice(sentBefore).map((s) => s.event.type);
    expect(sent.sort()).toEqual(['output_audio_buffer.clear', 'response.cancel']);
    await waitFor(page, (x) => eventsOf(x, 'conversation.item.truncated').find((e) => e.item_id === cut.itemId));
    r = await recorded(page);
    expect(eventsOf(r, 'output_audio_buffer.cleared')).toHaveLength(1);
    expect(maxOutput(r, cut.t + 100)).toBeLessThan(SILENT);
    // Nothing plays any more: a second interrupt() has nothing to do.
    expect(await call(page, 'interrupt')).toBe(false);
    const item = messages((await sessionInfo(page)).history).find((m) => m.id === cut.itemId)!;
    expect(item).toMatchObject({ interrupted: true, status: 'incomplete' });
    expect(LONG_ANSWER.startsWith(item.text)).toBe(true);
    expect(item.text.length).toBeLessThan(LONG_ANSWER.length);
    expect(r.errors).toEqual([]);
    await stopClient(page);
  });
});

test('mute(): nothing is heard by the server while muted, even as the mic speaks; after unmute() speech is detected again', async ({ page }) => {
  await startClient(page, stack().url, { session: VAD, muted: true });
  expect(await sessionInfo(page)).toMatchObject({ muted: true, mic: { enabled: false, readyState: 'live' } });
  await pageFn(page, 'startMonitor');
  // Wait for one whole utterance of the fake mic (heard by the page's own monitor) to pass.
  await expect
    .poll(
      async () => {
        const levels = (await recorded(page)).levels.filter((l) => l.monitor !== null);
        const spoke = levels.findIndex((l) => l.monitor! > AUDIBLE);
        const quietAfter = spoke >= 0 ? levels.slice(spoke).filter((l, i, a) => i > 0 && a.slice(i).every((x) => x.monitor! < SILENT)).length : 0;
        return spoke >= 0 && quietAfter >= 20; // ~1 s of silence after the speech
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  let r = await recorded(page);
  expect(r.eventTypes).not.toContain('input_audio_buffer.speech_started');
  expect(r.eventTypes).not.toContain('response.created');
  expect(Math.max(...r.levels.map((l) => l.input))).toBeLessThan(SILENT);

  const unmutedAt = await page.evaluate(() => {
    (window as unknown as { rec: { session: { unmute(): void } } }).rec.session.unmute();
    return performance.now();
  });
  expect(await sessionInfo(page)).toMatchObject({ muted: false, mic: { enabled: true } });
  // The next utterance (within one loop of the WAV) reaches the server and is answered.
  const speech = await waitFor(page, (x) => eventsOf(x, 'input_audio_buffer.speech_started')[0], 20_000);
  expect(speech.at).toBeGreaterThan(unmutedAt);
  await waitFor(page, (x) => assistantSaid(x).find((t) => t.includes('you spoke for')), 15_000);
  r = await recorded(page);
  expect(Math.max(...r.levels.filter((l) => l.t > unmutedAt).map((l) => l.input))).toBeGreaterThan(AUDIBLE);
  expect(r.errors).toEqual([]);
  await pageFn(page, 'stopMonitor');
  await stopClient(page);
});

test('sendText(): typed messages are answered in turn (a second one waits for the first response), spoken and kept in the history', async ({ page }) => {
  await startClient(page, stack().url, { muted: true });
  await sendText(page, 'Hello from the keyboard.');
  await sendText(page, 'And a second line.');
  await expect.poll(async () => assistantSaid(await recorded(page)), { timeout: 20_000 }).toEqual(['(sim) you said: Hello from the keyboard.', '(sim) you said: And a second line.']);
  const r = await recorded(page);
  const items = sentOf(r, 'conversation.item.create').map((s) => (s.event.item as { content: Array<{ text: string }> }).content[0]!.text);
  expect(items).toEqual(['Hello from the keyboard.', 'And a second line.']);
  // The second response.create went out only once the first response was done: no conversation_already_has_active_response.
  const creates = sentOf(r, 'response.create');
  expect(creates).toHaveLength(2);
  const firstDone = eventsOf(r, 'response.done')[0]!;
  expect(creates[1]!.t).toBeGreaterThanOrEqual(firstDone.at);
  expect(r.eventTypes).not.toContain('error');
  const answer = eventsOf(r, 'output_audio_buffer.started')[0]!.at;
  await expect.poll(async () => maxOutput(await recorded(page), answer), { timeout: 10_000 }).toBeGreaterThan(AUDIBLE);
  const user = messages((await sessionInfo(page)).history).filter((m) => m.role === 'user');
  expect(user.map((m) => [m.text, m.status])).toEqual([
    ['Hello from the keyboard.', 'completed'],
    ['And a second line.', 'completed'],
  ]);
  expect(r.errors).toEqual([]);
  await stopClient(page);
});

test('setInputDevice(): a live switch between Chromium fake mics replaces the track on the same peer connection, and the session keeps working', async ({ page }) => {
  await startClient(page, stack().url, { session: VAD });
  const devices = await call<{ inputs: Array<{ deviceId: string; label: string }>; outputs: Array<{ deviceId: string }> }>(page, 'listDevices');
  const before = await sessionInfo(page);
  const target = devices.inputs.find((d) => d.deviceId !== 'default' && d.deviceId !== before.mic!.deviceId);
  expect(target, JSON.stringify(devices.inputs)).toBeDefined();
  const pcBefore = await peerConnections(page);
  expect(pcBefore).toHaveLength(1);

  expect(await call(page, 'setInputDevice', target!.deviceId)).toBeNull();
  const switchedAt = await page.evaluate(() => performance.now());
  const after = await sessionInfo(page);
  expect(after.mic).toMatchObject({ deviceId: target!.deviceId, readyState: 'live', enabled: true });
  expect(after.mic!.id).not.toBe(before.mic!.id);
  // The old track is stopped, the new one is live.
  expect((await recorded(page)).openedMicStates).toEqual(['ended', 'live']);
  // Same peer connection, no renegotiation (one offer, one local description, one SDP POST): the sender just carries the new track.
  const pcAfter = await peerConnections(page);
  expect(pcAfter).toHaveLength(1);
  expect(pcAfter[0]).toMatchObject({ connectionState: 'connected', signalingState: 'stable', offers: 1, localDescriptions: 1, channels: ['open'] });
  expect(pcAfter[0]!.senderTrackIds).toEqual([after.mic!.id]);
  expect(await pageFn(page, 'sdpPosts')).toBe(1);

  // The new mic is heard and answered.
  // (the new fake device plays the same looping WAV: its next utterance comes within one loop, ~11 s)
  const speech = await waitFor(page, (x) => eventsOf(x, 'input_audio_buffer.speech_started').find((e) => e.at > switchedAt), 25_000);
  const answered = await waitFor(page, (x) => eventsOf(x, 'output_audio_buffer.started').find((e) => e.at > speech.at)?.at, 20_000);
  await expect.poll(async () => maxOutput(await recorded(page), answered), { timeout: 10_000 }).toBeGreaterThan(AUDIBLE);
  // The output device can be switched too (setSinkId on the playing element).
  const output = devices.outputs.find((d) => d.deviceId !== 'default');
  if (output) {
    expect(await call(page, 'setOutputDevice', output.deviceId)).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { rec: { session: { audioElement: { sinkId: string } } } }).rec.session.audioElement.sinkId)).toBe(output.deviceId);
  }
  expect((await peerConnections(page)).map((p) => [p.offers, p.localDescriptions, p.signalingState])).toEqual([[1, 1, 'stable']]);
  expect(await pageFn(page, 'sdpPosts')).toBe(1);
  expect((await recorded(page)).errors).toEqual([]);
  await stopClient(page);
});

test('a spoken turn reports usage with a cost, per-turn latency, who is speaking and the output spectrum', async ({ page }) => {
  await startClient(page, stack().url, { session: VAD });
  const created = await waitFor(page, (r) => eventsOf(r, 'session.created')[0]);
  const model = (created.session as { model: string }).model;
  expect(model).toBe('gpt-realtime');
  await waitFor(page, (r) => eventsOf(r, 'output_audio_buffer.started')[0], 25_000);
  // The spectrum of the model's voice while it plays.
  await expect.poll(() => pageFn<number>(page, 'spectrumSum', 'output'), { timeout: 5_000 }).toBeGreaterThan(0);
  // The turn whose answer was heard.
  const turn = await waitFor(page, (r) => r.metricsEvents.find((m) => m.kind === 'turn' && audioStartOf(r, m.responseId as string) !== undefined), 20_000);
  await waitFor(page, (r) => (r.usageEvents.length > 0 ? true : undefined));
  const r = await recorded(page);

  // Latency of the turn: a number, measured from the end of the user's speech, for the response that answered it.
  const stopped = eventsOf(r, 'input_audio_buffer.speech_stopped').find((e) => e.item_id === turn.itemId)!;
  expect(stopped).toBeDefined();
  expect(eventsOf(r, 'response.created').map(responseIdOf)).toContain(turn.responseId);
  expect(typeof turn.speechToAudioMs).toBe('number');
  expect(turn.speechToAudioMs as number).toBeGreaterThanOrEqual(0);
  // It agrees with the page's own clock of the same two events (to rounding).
  const audio = audioStartOf(r, turn.responseId as string)!;
  expect(Math.abs((turn.speechToAudioMs as number) - (audio - stopped.at))).toBeLessThanOrEqual(5);
  expect(typeof turn.speechToTranscriptMs).toBe('number');
  expect((await sessionInfo(page)).metrics.turns).toContainEqual(expect.objectContaining({ kind: 'turn', itemId: turn.itemId, speechToAudioMs: turn.speechToAudioMs }));
  // The connection's own timings are consistent with each other.
  const connect = r.metricsEvents.find((m) => m.kind === 'connect')!;
  expect(connect).toMatchObject({ prepared: 'none', reconnect: false });
  expect(connect.totalMs as number).toBeGreaterThanOrEqual(connect.dataChannelOpenMs as number);
  expect(connect.dataChannelOpenMs as number).toBeGreaterThanOrEqual(connect.sdpMs as number);

  // Usage: the sum of every response.done's usage, priced for the sim's model.
  const usage = r.usageEvents.at(-1)!;
  const dones = eventsOf(r, 'response.done').map((e) => (e.response as { usage: { input_tokens: number; output_tokens: number; total_tokens: number } }).usage);
  expect(usage.responses).toBe(dones.length);
  const total = (pick: (u: (typeof dones)[number]) => number) => dones.reduce((a, u) => a + pick(u), 0);
  expect(usage).toMatchObject({
    model: 'gpt-realtime',
    input_tokens: total((u) => u.input_tokens),
    output_tokens: total((u) => u.output_tokens),
    total_tokens: total((u) => u.total_tokens),
  });
  expect(usage.input_token_details?.audio_tokens).toBeGreaterThan(0);
  expect(usage.output_token_details?.audio_tokens).toBeGreaterThan(0);
  // gpt-realtime, USD per 1M tokens: text in 4 (cached 0.4), audio in 32 (cached 0.4), text out 16, audio out 64.
  const i = usage.input_token_details!;
  const c = i.cached_tokens_details ?? { text_tokens: 0, audio_tokens: 0 };
  const uncachedText = i.text_tokens - (i.cached_tokens - c.audio_tokens);
  const expected =
    (uncachedText * 4 + (i.cached_tokens - c.audio_tokens) * 0.4 + (i.audio_tokens - c.audio_tokens) * 32 + c.audio_tokens * 0.4 +
      usage.output_token_details!.text_tokens * 16 + usage.output_token_details!.audio_tokens * 64) /
    1e6;
  expect(usage.costUsd).toBeGreaterThan(0);
  expect(usage.costUsd!).toBeCloseTo(expected, 9);
  expect((await sessionInfo(page)).usage).toEqual(usage);

  // Who spoke: the user, then the assistant, then nobody.
  const who = r.speaking.map((s) => s.who);
  const u = who.indexOf('user');
  const a = who.indexOf('assistant', u);
  expect(u).toBeGreaterThanOrEqual(0);
  expect(a).toBeGreaterThan(u);
  await expect.poll(async () => (await recorded(page)).speaking.at(-1)?.who, { timeout: 15_000 }).toBe('none');
  expect(r.errors).toEqual([]);
  await stopClient(page);
});

test('reconnection: the sim drops the data channel; a fresh token and peer connection, the history replayed, and the conversation goes on', async ({ page }) => {
  // Only the first token carries the fault: the sim closes that session's data channel 5 s after it opened.
  await startClient(page, stack().url, { firstTokenQuery: `sim_fault=${encodeURIComponent('dc=after:5000')}`, muted: true, session: VAD });
  await sendText(page, 'Remember the number forty two.');
  await waitFor(page, (r) => (r.responses.length > 0 ? true : undefined), 10_000);
  await waitFor(page, (r) => (r.historyChanges > 0 && r.states.length === 2 ? true : undefined));
  const before = messages((await sessionInfo(page)).history).map((m) => ({ id: m.id, role: m.role, text: m.text }));
  expect(before.map((m) => m.text)).toEqual(['Remember the number forty two.', '(sim) you said: Remember the number forty two.']);
  const micBefore = (await sessionInfo(page)).mic!;

  await expect.poll(async () => (await recorded(page)).states, { timeout: 20_000 }).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  let r = await recorded(page);
  // A fresh token (without the fault) and a new peer connection; the old one is closed.
  expect(r.tokenRequests.map((t) => t.url.includes('sim_fault'))).toEqual([true, false]);
  const pcs = await peerConnections(page);
  expect(pcs).toHaveLength(2);
  expect(pcs[0]).toMatchObject({ connectionState: 'closed', signalingState: 'closed' });
  expect(pcs[1]).toMatchObject({ connectionState: 'connected', channels: ['open'] });
  expect(r.metricsEvents.filter((m) => m.kind === 'connect').map((m) => m.reconnect)).toEqual([false, true]);
  // The conversation was re-created on the new connection, in order, before anything else was asked.
  const replayed = r.sent.filter((s) => s.pc === 1 && s.event.type === 'conversation.item.create').map((s) => s.event.item as { id?: string; content: Array<{ text: string }> });
  expect(replayed.map((i) => i.content[0]!.text)).toEqual(before.map((m) => m.text));
  expect(r.sent.filter((s) => s.pc === 1 && s.event.type === 'response.create')).toEqual([]);
  // The same microphone, still muted, now on the new connection.
  const info = await sessionInfo(page);
  expect(info.mic).toMatchObject({ id: micBefore.id, readyState: 'live', enabled: false });
  expect(pcs[1]!.senderTrackIds).toEqual([micBefore.id]);
  expect(messages(info.history).slice(0, 2).map((m) => ({ id: m.id, role: m.role, text: m.text }))).toEqual(before);

  // A new spoken turn on the new connection: the mic reaches the sim, the parrot answers with audio.
  const reconnectedAt = r.metricsEvents.filter((m) => m.kind === 'connect')[1]!.t;
  await call(page, 'unmute');
  const answer = await waitFor(page, (x) => x.transcripts.find((t) => t.role === 'assistant' && t.t > reconnectedAt && t.text.includes('you spoke for')), 25_000);
  const heard = await waitFor(page, (x) => audioStartOf(x, answer.responseId!));
  await expect.poll(async () => maxOutput(await recorded(page), heard), { timeout: 10_000 }).toBeGreaterThan(AUDIBLE);
  const after = messages((await sessionInfo(page)).history);
  expect(after.slice(0, 2).map((m) => ({ id: m.id, role: m.role, text: m.text }))).toEqual(before);
  expect(after.findIndex((m) => m.id === answer.itemId)).toBeGreaterThan(1);
  r = await recorded(page);
  expect(r.states.at(-1)).toBe('connected');
  expect(r.errors).toEqual([]);
  await stopClient(page);
});

test('disconnect() resolves once the mic, the peer connection and the audio nodes are released', async ({ page }) => {
  await startClient(page, stack().url, { session: VAD });
  // Mid-conversation: the answer is playing and the level meter is attached.
  const audio = await waitFor(page, (r) => eventsOf(r, 'output_audio_buffer.started')[0]?.at, 25_000);
  await expect.poll(async () => maxOutput(await recorded(page), audio), { timeout: 10_000 }).toBeGreaterThan(AUDIBLE);
  expect(await pageFn(page, 'audioContexts')).toEqual(['running']);

  const released = await pageFn<{
    state: string;
    micStates: string[];
    peerConnections: Array<{ connectionState: string; signalingState: string; iceConnectionState: string; channels: string[] }>;
    audioContexts: string[];
    element: { paused: boolean; hasSource: boolean; inDocument: boolean } | null;
    audioElementAfter: string | null;
  }>(page, 'disconnectAndInspect');
  expect(released.state).toBe('closed');
  expect(released.micStates).toEqual(['ended']);
  expect(released.peerConnections).toEqual([expect.objectContaining({ connectionState: 'closed', signalingState: 'closed', iceConnectionState: 'closed' })]);
  // Chromium reports a data channel closed locally as 'closing' for a moment.
  expect(released.peerConnections[0]!.channels).not.toContain('open');
  await expect.poll(async () => (await peerConnections(page))[0]!.channels).toEqual(['closed']);
  expect(released.audioContexts.length).toBeGreaterThan(0);
  expect(released.audioContexts.every((s) => s === 'closed')).toBe(true);
  expect(released.element).toEqual({ paused: true, hasSource: false, inDocument: false });
  expect(released.audioElementAfter).toBeNull();
  // Nothing arrives any more, and a second disconnect() is a no-op.
  const count = (await recorded(page)).events.length;
  await page.waitForTimeout(1000);
  expect((await recorded(page)).events.length).toBe(count);
  expect(await call(page, 'disconnect')).toBeNull();
  const r = await recorded(page);
  expect(r.states).toEqual(['connecting', 'connected', 'closing', 'closed']);
  expect(r.errors).toEqual([]);
});
