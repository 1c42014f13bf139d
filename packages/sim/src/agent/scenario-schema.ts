import { z } from 'zod';

/**
 * A scenario scripts the agent turn by turn. JSON, validated with this
 * schema; see the README's "Scenarios" section for every field.
 */

/** Say something: the transcript is the text; the audio is the synthetic voice or the user's own voice. */
const say = z.strictObject({
  say: z.string().min(1),
  audio: z.enum(['synth', 'parrot']).optional(),
});

/** Call a tool; the response ends with the function call and the turn resumes after the client's output. */
const call = z.strictObject({
  call: z.strictObject({
    name: z.string().min(1),
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
  }),
});

/** Pause before the next step (model "thinking" time). */
const wait = z.strictObject({ wait_ms: z.number().int().min(0).max(60_000) });

/** Send an `error` server event (the session stays open). */
const error = z.strictObject({
  error: z.strictObject({
    type: z.string().optional(),
    code: z.string().nullable().optional(),
    message: z.string(),
    param: z.string().nullable().optional(),
  }),
});

/** End the session once the response and its audio are done. */
const end = z.strictObject({ end: z.literal(true) });

/** One scripted step. */
export const scenarioStep = z.union([say, call, wait, error, end]);

/** One turn: the steps of the response(s) that answer one user turn. */
export const scenarioTurn = z.strictObject({
  /** `user` (default): answers the next response request. `connect`: spoken by itself when the session starts (first turn only). */
  trigger: z.enum(['user', 'connect']).optional(),
  /** Free text for humans. */
  note: z.string().optional(),
  steps: z.array(scenarioStep).min(1),
});

/** A whole scenario. */
export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
    description: z.string().optional(),
    turns: z.array(scenarioTurn).min(1),
    /** What answers once the turns are used up (default `parrot`). */
    after: z.enum(['parrot', 'repeat_last', 'end']).optional(),
    /** Pitch of the synthetic voice in Hz (default 150). */
    voice_pitch_hz: z.number().min(60).max(400).optional(),
  })
  .refine((s) => s.turns.every((t, i) => i === 0 || t.trigger !== 'connect'), {
    message: "only the first turn may have trigger 'connect'",
    path: ['turns'],
  });

/** A validated scenario. */
export type Scenario = z.infer<typeof scenarioSchema>;
/** One validated step. */
export type ScenarioStep = z.infer<typeof scenarioStep>;
