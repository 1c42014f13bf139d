import type { SessionConfig } from '../protocol/client-events.js';

/** `b` over `a`, merging nested plain objects the way `session.update` applies a partial session. */
export function mergeConfig<T extends object>(a: T | undefined, b: T): T {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && old && typeof old === 'object' ? mergeConfig(old as object, v) : v;
  }
  return out as T;
}

/**
 * The `session.update` sent when a connection opens: the app's session
 * (options and later `updateSession()` calls), its tools appended to any the
 * session declares, and turn detection off in push-to-talk. `undefined` when
 * there is nothing to send (the server-pinned session stands).
 */
export function sessionConfigFor(config: SessionConfig | undefined, tools: Array<Record<string, unknown>>, pushToTalk: boolean): SessionConfig | undefined {
  if (tools.length) config = { ...config, tools: [...(config?.tools ?? []), ...tools] };
  return pushToTalk ? mergeConfig(config, { audio: { input: { turn_detection: null } } }) : config;
}
