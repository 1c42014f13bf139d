import type { ItemInput, ResponseParamsInput } from './client-events.js';
import { betaResponseParams, type BetaSessionInput, betaSessionInput } from './beta-schema.js';
import type { AudioFormat, RealtimeSession } from './session-config.js';
import type { RealtimeSessionInput } from './session-schema.js';
import { fromZodError, type WireError } from './wire-error.js';

/** GA server event names that the beta interface named differently. */
const RENAMES: Record<string, string> = {
  'conversation.item.added': 'conversation.item.created',
  'response.output_audio.delta': 'response.audio.delta',
  'response.output_audio.done': 'response.audio.done',
  'response.output_audio_transcript.delta': 'response.audio_transcript.delta',
  'response.output_audio_transcript.done': 'response.audio_transcript.done',
  'response.output_text.delta': 'response.text.delta',
  'response.output_text.done': 'response.text.done',
};

/** GA-only server events, not sent to beta clients. */
const GA_ONLY = new Set(['conversation.item.done', 'input_audio_buffer.timeout_triggered']);

const FORMAT_TO_BETA: Record<AudioFormat['type'], string> = {
  'audio/pcm': 'pcm16',
  'audio/pcmu': 'g711_ulaw',
  'audio/pcma': 'g711_alaw',
};

const FORMAT_TO_GA: Record<string, AudioFormat> = {
  pcm16: { type: 'audio/pcm', rate: 24000 },
  g711_ulaw: { type: 'audio/pcmu' },
  g711_alaw: { type: 'audio/pcma' },
};

/**
 * Speaks the beta dialect for one session: renames outgoing GA events and
 * reshapes sessions, responses and items the way the beta interface did;
 * converts incoming beta `session.update` / `response.create` to GA. The
 * session itself stays GA inside.
 */
export class BetaDialect {
  #temperature: number;

  /** @param temperature - The beta `temperature` echoed in sessions and responses (default 0.8). */
  constructor(temperature = 0.8) {
    this.#temperature = temperature;
  }

  /** The current beta `temperature` (accepted and echoed; it changes nothing in the sim). */
  get temperature(): number {
    return this.#temperature;
  }

  /** Converts one outgoing GA event; `null` means "do not send". */
  toClient(event: Record<string, unknown>): Record<string, unknown> | null {
    const type = String(event.type);
    if (GA_ONLY.has(type)) return null;
    const out: Record<string, unknown> = { ...event, type: RENAMES[type] ?? type };
    if (out.session && typeof out.session === 'object') out.session = this.session(out.session as RealtimeSession);
    if (out.response && typeof out.response === 'object') {
      out.response = betaResponse(out.response as Record<string, unknown>, this.#temperature);
    }
    if (out.item && typeof out.item === 'object') out.item = betaItem(out.item as Record<string, unknown>);
    return out;
  }

  /** The beta shape of a GA session object. */
  session(s: RealtimeSession): Record<string, unknown> {
    const td = s.audio.input.turn_detection;
    return {
      id: s.id,
      object: 'realtime.session',
      model: s.model,
      expires_at: s.expires_at,
      modalities: s.output_modalities.includes('audio') ? ['audio', 'text'] : ['text'],
      instructions: s.instructions,
      voice: s.audio.output.voice,
      input_audio_format: FORMAT_TO_BETA[s.audio.input.format.type],
      output_audio_format: FORMAT_TO_BETA[s.audio.output.format.type],
      input_audio_transcription: s.audio.input.transcription,
      input_audio_noise_reduction: s.audio.input.noise_reduction,
      turn_detection:
        td?.type === 'server_vad'
          ? {
              type: td.type,
              threshold: td.threshold,
              prefix_padding_ms: td.prefix_padding_ms,
              silence_duration_ms: td.silence_duration_ms,
              create_response: td.create_response,
              interrupt_response: td.interrupt_response,
            }
          : td,
      tools: s.tools,
      tool_choice: s.tool_choice,
      temperature: this.#temperature,
      max_response_output_tokens: s.max_output_tokens,
      speed: s.audio.output.speed,
      tracing: s.tracing,
    };
  }

  /**
   * Converts an incoming beta client event to GA, or returns the error to
   * report (validation of the beta session shape).
   */
  fromClient(raw: Record<string, unknown>): { event: Record<string, unknown> } | { error: WireError } {
    if (raw.type === 'session.update' && raw.session !== undefined) {
      const parsed = betaSessionInput.safeParse(raw.session);
      if (!parsed.success) return { error: fromZodError(parsed.error, 'session', raw.session) };
      return { event: { ...raw, session: this.sessionToGa(parsed.data) } };
    }
    if (raw.type === 'response.create' && raw.response !== undefined) {
      const parsed = betaResponseParams.safeParse(raw.response);
      if (!parsed.success) return { error: fromZodError(parsed.error, 'response', raw.response) };
      const r = parsed.data;
      const ga: ResponseParamsInput = {};
      if (r.modalities) ga.output_modalities = r.modalities.includes('audio') ? ['audio'] : ['text'];
      if (r.instructions !== undefined) ga.instructions = r.instructions;
      if (r.voice !== undefined) ga.audio = { output: { voice: r.voice } };
      if (r.tools) ga.tools = r.tools;
      if (r.tool_choice !== undefined) ga.tool_choice = r.tool_choice;
      const max = r.max_response_output_tokens ?? r.max_output_tokens;
      if (max !== undefined) ga.max_output_tokens = max;
      if (r.conversation !== undefined) ga.conversation = r.conversation;
      if (r.metadata !== undefined) ga.metadata = r.metadata;
      if (r.input) ga.input = r.input as Array<ItemInput>;
      return { event: { ...raw, response: ga } };
    }
    return { event: raw };
  }

  /** A beta session configuration as a GA `session.update` payload. */
  sessionToGa(b: BetaSessionInput): RealtimeSessionInput {
    if (b.temperature !== undefined) this.#temperature = b.temperature;
    const ga: RealtimeSessionInput = { type: 'realtime' };
    if (b.model !== undefined) ga.model = b.model;
    if (b.modalities) ga.output_modalities = b.modalities.includes('audio') ? ['audio'] : ['text'];
    if (b.instructions !== undefined) ga.instructions = b.instructions;
    if (b.tools) ga.tools = b.tools;
    if (b.tool_choice !== undefined) ga.tool_choice = b.tool_choice as RealtimeSessionInput['tool_choice'];
    if (b.max_response_output_tokens !== undefined) ga.max_output_tokens = b.max_response_output_tokens;
    if (b.tracing !== undefined) ga.tracing = b.tracing as RealtimeSessionInput['tracing'];
    const input: NonNullable<NonNullable<RealtimeSessionInput['audio']>['input']> = {};
    if (b.input_audio_format) input.format = FORMAT_TO_GA[b.input_audio_format] as AudioFormat;
    if (b.input_audio_transcription !== undefined) input.transcription = b.input_audio_transcription;
    if (b.input_audio_noise_reduction !== undefined) input.noise_reduction = b.input_audio_noise_reduction;
    if (b.turn_detection !== undefined) input.turn_detection = b.turn_detection;
    const output: NonNullable<NonNullable<RealtimeSessionInput['audio']>['output']> = {};
    if (b.output_audio_format) output.format = FORMAT_TO_GA[b.output_audio_format] as AudioFormat;
    if (b.voice !== undefined) output.voice = b.voice;
    if (b.speed !== undefined) output.speed = b.speed;
    if (Object.keys(input).length > 0 || Object.keys(output).length > 0) {
      ga.audio = {
        ...(Object.keys(input).length > 0 ? { input } : {}),
        ...(Object.keys(output).length > 0 ? { output } : {}),
      };
    }
    return ga;
  }
}

function betaResponse(r: Record<string, unknown>, temperature: number): Record<string, unknown> {
  const { output_modalities, audio, usage, output, ...rest } = r as {
    output_modalities?: string[];
    audio?: { output?: { format?: AudioFormat; voice?: unknown } };
    usage?: Record<string, unknown> | null;
    output?: Array<Record<string, unknown>>;
  } & Record<string, unknown>;
  return {
    ...rest,
    output: (output ?? []).map(betaItem),
    modalities: output_modalities?.includes('audio') ? ['audio', 'text'] : ['text'],
    voice: audio?.output?.voice,
    output_audio_format: audio?.output?.format ? FORMAT_TO_BETA[audio.output.format.type] : 'pcm16',
    temperature,
    usage: usage ? betaUsage(usage) : null,
  };
}

/** The 2025 beta usage had no `image_tokens` (fixture 1). */
function betaUsage(u: Record<string, unknown>): Record<string, unknown> {
  const input = { ...(u.input_token_details as Record<string, unknown>) };
  delete input.image_tokens;
  const cached = { ...(input.cached_tokens_details as Record<string, unknown>) };
  delete cached.image_tokens;
  input.cached_tokens_details = cached;
  return { ...u, input_token_details: input };
}

function betaItem(item: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(item.content)) return item;
  return {
    ...item,
    content: (item.content as Array<Record<string, unknown>>).map((p) =>
      p.type === 'output_audio' ? { ...p, type: 'audio' } : p.type === 'output_text' ? { ...p, type: 'text' } : p,
    ),
  };
}
