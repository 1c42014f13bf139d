import { upsample16kTo48k } from '../audio/resample.js';
import { synthesizeVoice } from '../audio/synth.js';
import type { StoredItem } from '../session/conversation.js';
import type { Agent, AgentContext, PlanStep, ResponsePlan } from './agent.js';
import { ParrotAgent } from './parrot.js';
import type { Scenario, ScenarioStep } from './scenario-schema.js';

/**
 * Plays a {@link Scenario}: each response takes the next turn's steps. A
 * `call` step ends the response with a function call; the rest of the turn
 * is spoken by the next response (after the client sent the
 * `function_call_output` and `response.create`). Consecutive `say` steps
 * form one message. Texts may use `{{output}}` (the latest tool output),
 * `{{output.a.b}}` (a field of it when it is JSON; the whole output
 * otherwise) and `{{user_text}}` (the latest user text or transcript).
 */
export class ScenarioAgent implements Agent {
  readonly #scenario: Scenario;
  readonly #parrot = new ParrotAgent();
  #next = 0;
  #pending: ScenarioStep[] = [];
  #last: ScenarioStep[] = [];
  /** The whole turn a pending remainder belongs to, and how many calls the conversation had when it was planned. */
  #turn: { steps: ScenarioStep[]; callsBefore: number } | undefined;

  constructor(scenario: Scenario) {
    this.#scenario = scenario;
  }

  /** True when the first turn is spoken on connect. */
  get greetsOnConnect(): boolean {
    return this.#scenario.turns[0]?.trigger === 'connect';
  }

  /** @inheritdoc */
  respond(context: AgentContext): ResponsePlan {
    let steps: ScenarioStep[];
    if (this.#pending.length > 0 && this.#turn && countCalls(context.items) === this.#turn.callsBefore) {
      // The response that was to make the call was cancelled (barge-in, response.cancel)
      // before the call reached the conversation: answer with the whole turn again rather
      // than speak about a tool output that never came.
      steps = this.#turn.steps;
    } else if (this.#pending.length > 0) {
      steps = this.#pending;
    } else if (this.#next < this.#scenario.turns.length) {
      steps = this.#scenario.turns[this.#next]?.steps ?? [];
      this.#next += 1;
    } else if (this.#scenario.after === 'repeat_last') {
      steps = this.#last;
    } else if (this.#scenario.after === 'end') {
      steps = [{ end: true }];
    } else {
      return this.#parrot.respond(context);
    }
    this.#last = steps;
    const callIndex = steps.findIndex((s) => 'call' in s);
    const now = callIndex >= 0 ? steps.slice(0, callIndex + 1) : steps;
    this.#pending = callIndex >= 0 ? steps.slice(callIndex + 1) : [];
    this.#turn = callIndex >= 0 ? { steps, callsBefore: countCalls(context.items) } : undefined;
    return { steps: this.#plan(now, context) };
  }

  #plan(steps: ScenarioStep[], context: AgentContext): PlanStep[] {
    const out: PlanStep[] = [];
    const speed = context.session.audio.output.speed;
    const pitchHz = this.#scenario.voice_pitch_hz ?? 150;
    for (const step of steps) {
      if ('say' in step) {
        const text = render(step.say, context.items);
        const audio = step.audio === 'parrot' ? parrotAudio(context.items) ?? synthesizeVoice(text, { speed, pitchHz }) : synthesizeVoice(text, { speed, pitchHz });
        const prev = out.at(-1);
        if (prev?.kind === 'message') {
          prev.text = `${prev.text} ${text}`;
          prev.audio = concat(prev.audio, audio);
        } else {
          out.push({ kind: 'message', text, audio });
        }
      } else if ('call' in step) {
        const args = step.call.arguments ?? {};
        out.push({ kind: 'function_call', name: step.call.name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });
      } else if ('wait_ms' in step) {
        out.push({ kind: 'wait', ms: step.wait_ms });
      } else if ('error' in step) {
        out.push({
          kind: 'error',
          error: {
            type: step.error.type ?? 'server_error',
            code: step.error.code ?? null,
            message: step.error.message,
            param: step.error.param ?? null,
          },
        });
      } else {
        out.push({ kind: 'end_session' });
      }
    }
    return out;
  }
}

/** Replaces `{{output}}`, `{{output.path}}` and `{{user_text}}`. */
export function render(text: string, items: readonly StoredItem[]): string {
  return text.replace(/\{\{\s*(output(?:\.[\w.-]+)?|user_text)\s*\}\}/g, (_, key: string) => {
    if (key === 'user_text') return lastUserText(items);
    const output = lastToolOutput(items);
    if (key === 'output') return output;
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch {
      return output;
    }
    for (const part of key.split('.').slice(1)) {
      if (value === null || typeof value !== 'object' || !(part in value)) return output;
      value = (value as Record<string, unknown>)[part];
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

function countCalls(items: readonly StoredItem[]): number {
  return items.filter((s) => s.item.type === 'function_call').length;
}

function lastToolOutput(items: readonly StoredItem[]): string {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]?.item;
    if (item?.type === 'function_call_output') return item.output;
  }
  return '';
}

function lastUserText(items: readonly StoredItem[]): string {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]?.item;
    if (item?.type === 'message' && item.role === 'user') {
      return item.content
        .map((p) => (p.type === 'input_text' ? p.text : p.type === 'input_audio' ? (p.transcript ?? '') : ''))
        .join(' ')
        .trim();
    }
  }
  return '';
}

function parrotAudio(items: readonly StoredItem[]): Int16Array | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const s = items[i];
    if (s?.item.type === 'message' && s.item.role === 'user' && s.audio && s.audioRate === 16_000) {
      const trailing = Math.round(((s.trailingSilenceMs ?? 0) * 16_000) / 1000);
      return upsample16kTo48k(s.audio.subarray(0, Math.max(0, s.audio.length - trailing)));
    }
  }
  return undefined;
}

function concat(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
