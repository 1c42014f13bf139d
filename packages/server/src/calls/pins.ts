/**
 * Pinned session fields, held against the browser's `session.update`s (pure; no I/O).
 *
 * There is no way to lock a field on the provider (PROTOCOL §14.2): whichever `session.update`
 * comes last sets it. So the controller compares every `session.updated` it sees on the sideband
 * with the pins and, when the browser changed one, sends the pins back.
 *
 * - A pinned value is held field by field: what the server set must be there as set; fields the
 *   server left out (defaults the provider fills in) are free.
 * - `tools` is held by name: every pinned tool (the session's own tools and the server tools) must
 *   be present as declared, and a browser tool may not reuse a pinned name. The page's **own extra
 *   tools stay** (unless `allowBrowserTools: false`): a page that declares its tools with a
 *   `session.update` replaces the whole list, so the restore sends the pinned tools plus the
 *   page's others.
 */
import type { RealtimeSessionConfig } from '../session.js';

/** Fields pinned by default when the session sets them. */
export const DEFAULT_PINNED_FIELDS: readonly string[] = Object.freeze(['instructions', 'tools', 'tool_choice', 'max_output_tokens']);

/** What to hold for one call. */
export interface PinPlan {
  /** Pinned paths (dot-separated, `tools` excluded) and their values. */
  fields: ReadonlyArray<{ path: string; value: unknown }>;
  /** The pinned tools, or undefined when tools are not pinned. */
  tools: ReadonlyArray<Record<string, unknown>> | undefined;
  /** Whether the page may add tools of its own. */
  allowBrowserTools: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function get(source: unknown, path: string): unknown {
  let value = source;
  for (const part of path.split('.')) value = isObject(value) ? value[part] : undefined;
  return value;
}

function set(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as Json;
  }
  node[parts.at(-1)!] = structuredClone(value);
}

/** True when `actual` holds everything `pinned` sets (objects field by field, arrays element by element). */
export function holds(pinned: unknown, actual: unknown): boolean {
  if (Array.isArray(pinned)) return Array.isArray(actual) && actual.length === pinned.length && pinned.every((v, i) => holds(v, actual[i]));
  if (isObject(pinned)) return isObject(actual) && Object.entries(pinned).every(([k, v]) => v === undefined || holds(v, actual[k]));
  return pinned === actual;
}

/** Why `paths` cannot be pinned for `session`, or undefined. */
export function pinProblem(session: RealtimeSessionConfig, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    if (!/^[a-z_]+(\.[a-z_]+)*$/.test(path)) return `pin "${path}" is not a session field path`;
    if (path === 'model' || path === 'type') return `pin "${path}": the ${path} of a call cannot change anyway`;
    if (get(session, path) === undefined) return `pin "${path}" has no value in the session`;
  }
  return undefined;
}

/** The pins of a call: the default fields the session sets, `extra` paths, and the session's tools. */
export function planPins(session: RealtimeSessionConfig, extra: readonly string[], allowBrowserTools: boolean): PinPlan {
  const paths = [...new Set([...DEFAULT_PINNED_FIELDS, ...extra])].filter((p) => p !== 'tools' && get(session, p) !== undefined);
  const tools = Array.isArray(session.tools) ? (session.tools.filter(isObject) as Json[]) : undefined;
  return {
    fields: paths.map((path) => ({ path, value: structuredClone(get(session, path)) })),
    tools: tools?.map((t) => structuredClone(t)),
    allowBrowserTools,
  };
}

function toolsHeld(plan: PinPlan, actual: unknown): boolean {
  if (plan.tools === undefined) return true;
  const list = Array.isArray(actual) ? actual : [];
  const pinned = new Map(plan.tools.map((t) => [t.name, t]));
  for (const tool of plan.tools) if (!list.some((a) => isObject(a) && a.name === tool.name)) return false;
  for (const tool of list) {
    const mine = isObject(tool) ? pinned.get(tool.name) : undefined;
    if (mine !== undefined ? !holds(mine, tool) : !plan.allowBrowserTools) return false;
  }
  return true;
}

/** The pinned fields `current` (a `session.updated` session) no longer holds, as paths (`tools` included). */
export function violations(plan: PinPlan, current: unknown): string[] {
  const out = plan.fields.filter(({ path, value }) => !holds(value, get(current, path))).map(({ path }) => path);
  if (!toolsHeld(plan, get(current, 'tools'))) out.push('tools');
  return out;
}

/**
 * The `session` of a `session.update` putting every pin back. With `current` (the last session
 * seen) the tools are the pinned ones plus the page's others; without it (`withTools: false`, the
 * first update, before the sideband has seen the page's tools) `tools` is left out, so the page's
 * tools are not wiped.
 */
export function restoreUpdate(plan: PinPlan, current: unknown, withTools = true): Json {
  const session: Json = { type: 'realtime' };
  for (const { path, value } of plan.fields) set(session, path, value);
  if (withTools && plan.tools !== undefined) {
    const pinnedNames = new Set(plan.tools.map((t) => t.name));
    const list = get(current, 'tools');
    const others = plan.allowBrowserTools && Array.isArray(list) ? list.filter((t) => !(isObject(t) && pinnedNames.has(t.name))) : [];
    session.tools = [...plan.tools.map((t) => structuredClone(t)), ...structuredClone(others)];
  }
  return session;
}
