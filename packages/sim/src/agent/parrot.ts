import { upsample16kTo48k } from '../audio/resample.js';
import { synthesizeVoice } from '../audio/synth.js';
import type { StoredItem } from '../session/conversation.js';
import type { Agent, AgentContext, ResponsePlan } from './agent.js';

/**
 * The default agent. It answers each turn with the user's own voice:
 * the last user audio item is played back (16 kHz upsampled to 48 kHz) with
 * the transcript "(sim) you spoke for 1.4 s". A text message is answered with
 * the synthetic voice saying "(sim) you said: …", a tool output with
 * "(sim) the tool returned: …".
 */
export class ParrotAgent implements Agent {
  /** @inheritdoc */
  respond(context: AgentContext): ResponsePlan {
    const speed = context.session.audio.output.speed;
    const last = lastRelevant(context.items);
    if (last?.item.type === 'message' && last.audio && last.audioRate) {
      const voiced = last.audio.subarray(0, voicedSamples(last));
      const seconds = ((last.voicedMs ?? (voiced.length * 1000) / last.audioRate) / 1000).toFixed(1);
      return { steps: [{ kind: 'message', text: `(sim) you spoke for ${seconds} s`, audio: upsample16kTo48k(voiced) }] };
    }
    let text = '(sim) I have nothing to repeat yet.';
    if (last?.item.type === 'message') {
      const said = last.item.content
        .map((p) => (p.type === 'input_text' ? p.text : p.type === 'input_audio' ? (p.transcript ?? '') : ''))
        .join(' ')
        .trim();
      text = `(sim) you said: ${clip(said)}`;
    } else if (last?.item.type === 'function_call_output') {
      text = `(sim) the tool returned: ${clip(last.item.output)}`;
    }
    return { steps: [{ kind: 'message', text, audio: synthesizeVoice(text, { speed }) }] };
  }
}

function lastRelevant(items: readonly StoredItem[]): StoredItem | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const s = items[i];
    if (!s) continue;
    if (s.item.type === 'function_call_output') return s;
    if (s.item.type === 'message' && s.item.role === 'user') return s;
  }
  return undefined;
}

function voicedSamples(stored: StoredItem): number {
  const total = stored.audio?.length ?? 0;
  const rate = stored.audioRate ?? 16_000;
  const trailing = Math.round(((stored.trailingSilenceMs ?? 0) * rate) / 1000);
  return Math.max(0, total - trailing);
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
