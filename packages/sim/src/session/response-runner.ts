import type { PlanStep, ResponsePlan } from '../agent/agent.js';
import { OutputAudioEncoder } from '../audio/output-encoder.js';
import { OUTPUT_SAMPLE_RATE, type OutputAudioQueue } from '../audio/output-queue.js';
import { newFunctionCallId, newItemId } from '../protocol/ids.js';
import { type ConversationItem, type FunctionCallItem, type MessageItem, wireItem } from '../protocol/items.js';
import type { AudioFormat } from '../protocol/session-config.js';
import { assistantAudioTokens, buildUsage, type ResponseUsage, textTokens, type TokenSplit } from '../protocol/usage.js';
import type { StoredItem } from './conversation.js';
import type { TimerBag } from './timers.js';

/** Final status of a response. */
export type ResponseStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed' | 'incomplete';

/**
 * How a session's assistant audio leaves it: on the WebRTC track through the
 * output buffer (`track`), or as `response.output_audio.delta` events
 * (`events`, the WebSocket transport).
 */
export type AudioDelivery = 'track' | 'events';

/** Fixed parameters of one response (from the session and `response.create`). */
export interface ResponseParams {
  id: string;
  /** `conv_…`, or null for an out-of-band response (`conversation: "none"`). */
  conversationId: string | null;
  modality: 'audio' | 'text';
  voice: unknown;
  format: AudioFormat;
  maxOutputTokens: number | 'inf';
  metadata: Record<string, unknown> | null;
  inputTokens: TokenSplit;
  cachedTokens: TokenSplit;
}

/** What the runner needs from its session. */
export interface ResponseRunnerHost {
  /** Sends a server event (the host stamps `event_id`). */
  emit(type: string, payload: Record<string, unknown>): void;
  /** The session's output audio buffer (`track` delivery; its `muted` flag also silences `events`). */
  readonly output: OutputAudioQueue;
  /** Where the audio goes. */
  readonly audioDelivery: AudioDelivery;
  readonly timers: TimerBag;
  /** Audio generated per wall-clock second, in seconds (≥ 1 keeps ahead of playback). */
  readonly generationSpeed: number;
  /** Adds an item to the default conversation; returns `previous_item_id`. */
  addItem(stored: StoredItem): string | null;
  /** A plan step that acts on the session (error event, end of session). */
  sessionStep(step: Extract<PlanStep, { kind: 'error' | 'end_session' }>): void;
  /** Called once after `response.done`. */
  responseDone(runner: ResponseRunner): void;
  /** Called when the response's audio finished playing or was cleared. */
  playbackDone(runner: ResponseRunner): void;
}

interface OpenMessage {
  item: MessageItem;
  stored: StoredItem;
  audio: Int16Array;
  previousItemId: string | null;
  outputIndex: number;
  text: string;
  audioSamples: number;
}

const TEXT_DELTA_MS = 25;
const ARGS_DELTA_MS = 10;
/** Longest `response.output_audio.delta` (events delivery): each word's audio is cut into pieces of 50–100 ms. */
const AUDIO_DELTA_MAX_MS = 100;

/**
 * Plays one response plan as the service's event sequence (GA order, PROTOCOL
 * §4.5): `response.created`, `rate_limits.updated`, per output item
 * `response.output_item.added`, `conversation.item.added`, content part,
 * deltas, dones, then `response.done`; audio is streamed into the output
 * queue as it is "generated", and `output_audio_buffer.started/stopped`
 * follow playback. With `events` delivery the audio goes out instead as
 * `response.output_audio.delta` events as it is generated, and there is no
 * playback: the response's audio is done when its generation is.
 */
export class ResponseRunner {
  readonly params: ResponseParams;
  readonly #host: ResponseRunnerHost;
  #status: ResponseStatus = 'in_progress';
  #statusDetails: Record<string, unknown> | null = null;
  readonly #output: ConversationItem[] = [];
  #open: OpenMessage | undefined;
  #outputText = 0;
  #outputAudioSamples = 0;
  #segments = new Set<string>();
  #audioStarted = false;
  #playbackFinished = false;
  /** Items of this response whose audio is queued or playing. */
  readonly audioItems = new Map<string, { item: MessageItem; transcript: string; totalMs: number }>();

  constructor(params: ResponseParams, host: ResponseRunnerHost) {
    this.params = params;
    this.#host = host;
  }

  /** The response id. */
  get id(): string {
    return this.params.id;
  }

  /** `in_progress` until `response.done`. */
  get status(): ResponseStatus {
    return this.#status;
  }

  /** True until `response.done` was sent. */
  get active(): boolean {
    return this.#status === 'in_progress';
  }

  /** True while audio of this response is queued or playing. */
  get playing(): boolean {
    return this.#segments.size > 0;
  }

  /** Emits `response.created` and runs the plan. */
  start(plan: ResponsePlan, rateLimits: unknown[]): void {
    this.#host.emit('response.created', { response: this.#object(null) });
    this.#host.emit('rate_limits.updated', { rate_limits: rateLimits });
    void this.#run(plan.steps);
  }

  async #run(steps: PlanStep[]): Promise<void> {
    for (const step of steps) {
      if (!this.active) return;
      if (step.kind === 'wait') {
        if (!(await this.#host.timers.sleep(step.ms))) return;
      } else if (step.kind === 'message') {
        if (this.params.modality === 'audio' && this.#host.audioDelivery === 'events') await this.#audioDeltaMessage(step.text, step.audio);
        else if (this.params.modality === 'audio') await this.#audioMessage(step.text, step.audio);
        else await this.#textMessage(step.text);
      } else if (step.kind === 'function_call') {
        await this.#functionCall(step.name, step.arguments);
      } else {
        this.#host.sessionStep(step);
      }
    }
    if (this.active) this.#finish('completed', null);
  }

  async #audioMessage(text: string, audio: Int16Array): Promise<void> {
    const open = this.#openMessage({ type: 'audio', transcript: '' }, audio);
    const chunks = splitText(text);
    const segmentId = open.item.id;
    this.#segments.add(segmentId);
    this.audioItems.set(segmentId, { item: open.item, transcript: text, totalMs: samplesMs(audio.length) });
    this.#host.output.enqueue(segmentId, new Int16Array(0), {
      onStart: () => this.#onAudioStart(),
      onEnd: () => this.#onSegmentEnd(segmentId),
    });
    const budget = this.#audioBudgetSamples();
    const limit = Math.min(audio.length, budget);
    for (let i = 0; i < chunks.length; i++) {
      const from = Math.round((i * audio.length) / chunks.length);
      const to = Math.round(((i + 1) * audio.length) / chunks.length);
      if (from >= limit) break;
      this.#delta('response.output_audio_transcript.delta', open, chunks[i] ?? '');
      const piece = audio.subarray(from, Math.min(to, limit));
      this.#host.output.append(segmentId, piece);
      open.audioSamples += piece.length;
      this.#outputAudioSamples += piece.length;
      if (i < chunks.length - 1 && !(await this.#host.timers.sleep(samplesMs(to - from) / this.#host.generationSpeed))) return;
      if (!this.active) return;
    }
    this.#host.output.finish(segmentId);
    this.#closeMessage(limit < audio.length ? 'incomplete' : 'completed');
    if (limit < audio.length) this.#finish('incomplete', { type: 'incomplete', reason: 'max_output_tokens' });
  }

  /**
   * An audio message over events delivery: per word, its transcript delta,
   * then its audio as `response.output_audio.delta` pieces of at most
   * {@link AUDIO_DELTA_MAX_MS}, each followed by its duration divided by the
   * generation speed. No output buffer, no `output_audio_buffer.*` events.
   */
  async #audioDeltaMessage(text: string, audio: Int16Array): Promise<void> {
    const open = this.#openMessage({ type: 'audio', transcript: '' }, audio);
    const base = this.#partBase(open.item.id, open.outputIndex);
    const words = splitText(text);
    const encoder = new OutputAudioEncoder(this.params.format);
    const limit = Math.min(audio.length, this.#audioBudgetSamples());
    for (let i = 0; i < words.length; i++) {
      const from = Math.round((i * audio.length) / words.length);
      if (from >= limit) break;
      const to = Math.min(limit, Math.round(((i + 1) * audio.length) / words.length));
      this.#delta('response.output_audio_transcript.delta', open, words[i] ?? '');
      const pieces = Math.max(1, Math.ceil(samplesMs(to - from) / AUDIO_DELTA_MAX_MS));
      for (let p = 0; p < pieces; p++) {
        const a = from + Math.round((p * (to - from)) / pieces);
        const b = from + Math.round(((p + 1) * (to - from)) / pieces);
        const bytes = encoder.encode(audio.subarray(a, b));
        open.audioSamples += b - a;
        this.#outputAudioSamples += b - a;
        // The `audio=stop` fault mutes the output: the audio is generated but never sent.
        if (bytes.length > 0 && !this.#host.output.muted) {
          this.#host.emit('response.output_audio.delta', { ...base, delta: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64') });
        }
        if (b >= limit) break;
        if (!(await this.#host.timers.sleep(samplesMs(b - a) / this.#host.generationSpeed))) return;
        if (!this.active) return;
      }
    }
    this.#closeMessage(limit < audio.length ? 'incomplete' : 'completed');
    if (limit < audio.length) this.#finish('incomplete', { type: 'incomplete', reason: 'max_output_tokens' });
  }

  async #textMessage(text: string): Promise<void> {
    const open = this.#openMessage({ type: 'text', text: '' }, new Int16Array(0));
    for (const [i, chunk] of splitText(text).entries()) {
      if (i > 0 && !(await this.#host.timers.sleep(TEXT_DELTA_MS / this.#host.generationSpeed))) return;
      if (!this.active) return;
      this.#delta('response.output_text.delta', open, chunk);
    }
    this.#closeMessage('completed');
  }

  async #functionCall(name: string, args: string): Promise<void> {
    const item: FunctionCallItem = {
      id: newItemId(),
      type: 'function_call',
      status: 'in_progress',
      name,
      call_id: newFunctionCallId(),
      arguments: '',
    };
    const outputIndex = this.#output.length;
    this.#output.push(item);
    this.#host.emit('response.output_item.added', { response_id: this.id, output_index: outputIndex, item: wireItem(item, true) });
    const previousItemId = this.#addToConversation({ item });
    const base = { response_id: this.id, item_id: item.id, output_index: outputIndex, call_id: item.call_id };
    for (let i = 0; i < args.length; i += 16) {
      if (i > 0 && !(await this.#host.timers.sleep(ARGS_DELTA_MS))) return;
      if (!this.active) return;
      this.#host.emit('response.function_call_arguments.delta', { ...base, delta: args.slice(i, i + 16) });
    }
    item.arguments = args;
    item.status = 'completed';
    this.#outputText += textTokens(name + args);
    this.#host.emit('response.function_call_arguments.done', { ...base, name, arguments: args });
    this.#host.emit('response.output_item.done', { response_id: this.id, output_index: outputIndex, item: wireItem(item, true) });
    if (this.params.conversationId) this.#host.emit('conversation.item.done', { previous_item_id: previousItemId, item: wireItem(item) });
  }

  #openMessage(part: Record<string, unknown>, audio: Int16Array): OpenMessage {
    const item: MessageItem = { id: newItemId(), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    const outputIndex = this.#output.length;
    this.#output.push(item);
    this.#host.emit('response.output_item.added', { response_id: this.id, output_index: outputIndex, item: wireItem(item, true) });
    const stored: StoredItem = { item, audioRate: OUTPUT_SAMPLE_RATE };
    const previousItemId = this.#addToConversation(stored);
    this.#host.emit('response.content_part.added', { ...this.#partBase(item.id, outputIndex), part });
    this.#open = { item, stored, audio, previousItemId, outputIndex, text: '', audioSamples: 0 };
    return this.#open;
  }

  #delta(type: string, open: OpenMessage, delta: string): void {
    open.text += delta;
    this.#host.emit(type, { ...this.#partBase(open.item.id, open.outputIndex), delta });
  }

  /** Emits the closing events of the message in progress (also on cancel). */
  #closeMessage(status: 'completed' | 'incomplete'): void {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    const base = this.#partBase(open.item.id, open.outputIndex);
    const text = open.text;
    this.#outputText += textTokens(text);
    if (this.params.modality === 'audio') {
      this.#host.emit('response.output_audio.done', base);
      this.#host.emit('response.output_audio_transcript.done', { ...base, transcript: text });
      this.#host.emit('response.content_part.done', { ...base, part: { type: 'audio', transcript: text } });
      open.item.content = [{ type: 'output_audio', transcript: text }];
      open.stored.audio = open.audio.subarray(0, open.audioSamples);
      const entry = this.audioItems.get(open.item.id);
      if (entry) entry.transcript = text;
    } else {
      this.#host.emit('response.output_text.done', { ...base, text });
      this.#host.emit('response.content_part.done', { ...base, part: { type: 'text', text } });
      open.item.content = [{ type: 'output_text', text }];
    }
    open.item.status = status;
    this.#host.emit('response.output_item.done', { response_id: this.id, output_index: open.outputIndex, item: wireItem(open.item, true) });
    if (this.params.conversationId) {
      this.#host.emit('conversation.item.done', { previous_item_id: open.previousItemId, item: wireItem(open.item) });
    }
  }

  /**
   * Ends the response early with `status: "cancelled"` (reason
   * `turn_detected` or `client_cancelled`). Audio already generated stays in
   * the output buffer; the session clears it separately.
   */
  cancel(reason: 'turn_detected' | 'client_cancelled'): void {
    if (!this.active) return;
    const open = this.#open;
    if (open && this.params.modality === 'audio') this.#host.output.finish(open.item.id);
    this.#closeMessage('incomplete');
    this.#finish('cancelled', { type: 'cancelled', reason });
  }

  /** Ends silently (session closing): no events. */
  abandon(): void {
    this.#status = 'cancelled';
    this.#open = undefined;
  }

  /**
   * Removes this response's audio from the output buffer and reports how
   * much of each item was played.
   */
  clearAudio(): Array<{ itemId: string; playedMs: number; totalMs: number; transcript: string }> {
    const cleared: Array<{ itemId: string; playedMs: number; totalMs: number; transcript: string }> = [];
    for (const id of [...this.#segments]) {
      const [seg] = this.#host.output.clear(id);
      const entry = this.audioItems.get(id);
      if (seg && entry) cleared.push({ itemId: id, playedMs: seg.playedMs, totalMs: entry.totalMs, transcript: entry.transcript });
      this.#segments.delete(id);
    }
    this.#playbackFinished = true;
    return cleared;
  }

  #onAudioStart(): void {
    if (this.#audioStarted) return;
    this.#audioStarted = true;
    this.#host.emit('output_audio_buffer.started', { response_id: this.id });
  }

  #onSegmentEnd(id: string): void {
    this.#segments.delete(id);
    this.#maybePlaybackDone();
  }

  #maybePlaybackDone(): void {
    if (this.active || this.#segments.size > 0 || this.#playbackFinished) return;
    this.#playbackFinished = true;
    if (this.#audioStarted) this.#host.emit('output_audio_buffer.stopped', { response_id: this.id });
    this.#host.playbackDone(this);
  }

  #finish(status: Exclude<ResponseStatus, 'in_progress'>, details: Record<string, unknown> | null): void {
    if (!this.active) return;
    this.#status = status;
    this.#statusDetails = details;
    const usage = buildUsage(this.params.inputTokens, this.params.cachedTokens, {
      text: this.#outputText,
      audio: assistantAudioTokens(samplesMs(this.#outputAudioSamples)),
    });
    this.#host.emit('response.done', { response: this.#object(usage) });
    this.#host.responseDone(this);
    this.#maybePlaybackDone();
  }

  #audioBudgetSamples(): number {
    if (this.params.maxOutputTokens === 'inf') return Number.POSITIVE_INFINITY;
    const tokensLeft =
      this.params.maxOutputTokens - this.#outputText - assistantAudioTokens(samplesMs(this.#outputAudioSamples));
    return Math.max(0, Math.floor((tokensLeft * 50 * OUTPUT_SAMPLE_RATE) / 1000));
  }

  #addToConversation(stored: StoredItem): string | null {
    return this.params.conversationId ? this.#host.addItem(stored) : null;
  }

  #partBase(itemId: string, outputIndex: number): Record<string, unknown> {
    return { response_id: this.id, item_id: itemId, output_index: outputIndex, content_index: 0 };
  }

  #object(usage: ResponseUsage | null): Record<string, unknown> {
    return {
      object: 'realtime.response',
      id: this.id,
      status: this.#status,
      status_details: this.#statusDetails,
      output: this.#output.map((item) => wireItem(item, true)),
      conversation_id: this.params.conversationId,
      output_modalities: [this.params.modality],
      max_output_tokens: this.params.maxOutputTokens,
      audio: { output: { format: this.params.format, voice: this.params.voice } },
      usage,
      metadata: this.params.metadata,
    };
  }
}

/** Splits text into word-sized deltas that concatenate back to the text. */
export function splitText(text: string): string[] {
  const parts = text.match(/\S+\s*/g);
  if (!parts) return [text];
  const lead = text.match(/^\s*/)?.[0] ?? '';
  if (lead && parts[0] !== undefined) parts[0] = lead + parts[0];
  return parts;
}

function samplesMs(samples: number): number {
  return (samples * 1000) / OUTPUT_SAMPLE_RATE;
}
