import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimError } from '../errors.js';
import { fromZodError } from '../protocol/wire-error.js';
import { type Scenario, scenarioSchema } from './scenario-schema.js';

/** Names of the scenarios shipped in `packages/sim/scenarios/`. */
export const SHIPPED_SCENARIOS = ['greeting', 'tool-call', 'long-answer', 'demo', 'server-tool'] as const;

/**
 * Validates a scenario object.
 *
 * @throws SimError `invalid_scenario` with the path of the first problem.
 */
export function parseScenario(raw: unknown, source = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const problem = fromZodError(parsed.error, '', raw);
    throw new SimError('invalid_scenario', `${source}: ${problem.message}`);
  }
  return parsed.data;
}

/**
 * Reads and validates a scenario JSON file.
 *
 * @throws SimError `invalid_scenario` when it is unreadable, not JSON or invalid.
 */
export function loadScenarioFile(path: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new SimError('invalid_scenario', `${path}: cannot read JSON (${(cause as Error).message}).`, { cause });
  }
  return parseScenario(raw, path);
}

/**
 * The folder of shipped scenarios. It sits next to `src/` and `dist/`; the
 * module that asks may live in either (or in a bundled chunk of `dist/`).
 */
function shippedDir(): string {
  for (const rel of ['../scenarios/', '../../scenarios/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}greeting.json`)) return dir;
  }
  throw new SimError('invalid_scenario', 'The shipped scenarios folder was not found next to the package.');
}

/** Loads one shipped scenario by name. */
export function loadShippedScenario(name: (typeof SHIPPED_SCENARIOS)[number]): Scenario {
  return loadScenarioFile(`${shippedDir()}${name}.json`);
}

/**
 * Resolves what a user passed as a scenario: an object, a shipped or
 * registered name, or a path to a `.json` file.
 */
export function resolveScenario(value: string | Scenario | unknown, registered: ReadonlyMap<string, Scenario>): Scenario {
  if (typeof value !== 'string') return parseScenario(value);
  const known = registered.get(value);
  if (known) return known;
  if ((SHIPPED_SCENARIOS as readonly string[]).includes(value)) {
    return loadShippedScenario(value as (typeof SHIPPED_SCENARIOS)[number]);
  }
  if (value.endsWith('.json')) return loadScenarioFile(value);
  throw new SimError('invalid_scenario', `Unknown scenario "${value}" (shipped: ${SHIPPED_SCENARIOS.join(', ')}).`);
}
