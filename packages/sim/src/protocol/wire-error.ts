import type { z } from 'zod';

/**
 * The error object OpenAI puts in HTTP error bodies (`{"error": …}`) and in
 * the `error` server event (which adds `event_id`).
 */
export interface WireError {
  type: string;
  code: string | null;
  message: string;
  param: string | null;
}

/** A wire error with the client `event_id` that caused it (for the `error` event). */
export interface WireEventError extends WireError {
  event_id: string | null;
}

/** Builds an `invalid_request_error`. */
export function invalidRequest(code: string | null, message: string, param: string | null = null): WireError {
  return { type: 'invalid_request_error', code, message, param };
}

/**
 * Converts the first zod issue into an OpenAI-style validation error.
 * Messages follow the service's phrasing ("Unknown parameter: 'x'.",
 * "Missing required parameter: 'x'.", "Invalid type for 'x': …",
 * "Invalid value: 'v'. Supported values are: …").
 *
 * @param error - The zod error.
 * @param prefix - Path prefix of the validated object (e.g. `session`).
 * @param input - The validated input, to quote offending values.
 */
export function fromZodError(error: z.ZodError, prefix: string, input: unknown): WireError {
  const issue = pickIssue(error.issues);
  if (!issue) return invalidRequest('invalid_request_error', 'Invalid request.');
  const path = joinPath(prefix, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const param = joinPath(path, [issue.keys[0] ?? '']);
      return invalidRequest('unknown_parameter', `Unknown parameter: '${param}'.`, param);
    }
    case 'invalid_type': {
      const value = valueAt(input, issue.path);
      if (value === undefined) {
        return invalidRequest('missing_required_parameter', `Missing required parameter: '${path}'.`, path);
      }
      return invalidRequest(
        'invalid_type',
        `Invalid type for '${path}': expected ${describeExpected(issue.expected)}, but got ${describeValue(value)} instead.`,
        path,
      );
    }
    case 'invalid_value': {
      const value = valueAt(input, issue.path);
      if (value === undefined) {
        return invalidRequest('missing_required_parameter', `Missing required parameter: '${path}'.`, path);
      }
      const supported = issue.values.map((v) => `'${String(v)}'`).join(', ');
      return invalidRequest(
        'invalid_value',
        `Invalid value: '${String(value)}'. Supported values are: ${supported}.`,
        path,
      );
    }
    case 'too_small':
    case 'too_big': {
      const value = valueAt(input, issue.path);
      if (issue.origin === 'array' || issue.origin === 'string') {
        const kind = issue.origin;
        const small = issue.code === 'too_small';
        const bound = small ? issue.minimum : issue.maximum;
        const length = Array.isArray(value) || typeof value === 'string' ? value.length : 0;
        const what = kind === 'array' ? 'an array' : 'a string';
        return invalidRequest(
          `${kind}_${small ? 'below_min' : 'above_max'}_length`,
          `Invalid '${path}': ${kind} too ${small ? 'short' : 'long'}. Expected ${what} with ${small ? 'minimum' : 'maximum'} length ${String(bound)}, but got ${what} with length ${length} instead.`,
          path,
        );
      }
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const kind = Number.isInteger(value) ? 'integer' : 'decimal';
      const dir = issue.code === 'too_small' ? 'below_min' : 'above_max';
      const op = issue.code === 'too_small' ? '>=' : '<=';
      return invalidRequest(
        `${kind}_${dir}_value`,
        `Invalid '${path}': ${kind} ${issue.code === 'too_small' ? 'below minimum' : 'above maximum'} value. Expected a value ${op} ${String(bound)}, but got ${String(value)} instead.`,
        path,
      );
    }
    default:
      return invalidRequest('invalid_value', `Invalid value for '${path}': ${issue.message}.`, path);
  }
}

type Issue = z.ZodError['issues'][number];

/** Prefers the most specific issue of a union failure. */
function pickIssue(issues: readonly Issue[]): Issue | undefined {
  const first = issues[0];
  if (first?.code === 'invalid_union' && first.errors.length > 0) {
    const branches = first.errors.filter((b) => b.length > 0);
    // The branch that got furthest (deepest path) is the one the client meant.
    branches.sort((a, b) => depth(b) - depth(a));
    const inner = pickIssue(branches[0] ?? []);
    if (inner) return { ...inner, path: [...first.path, ...inner.path] } as Issue;
  }
  return first;
}

function depth(issues: readonly Issue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length + (i.code === 'unrecognized_keys' ? 1 : 0)));
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describeExpected(expected: string): string {
  if (expected === 'number') return 'a decimal';
  if (expected === 'int') return 'an integer';
  if (expected === 'object') return 'an object';
  if (expected === 'array') return 'an array';
  if (expected === 'boolean') return 'a boolean';
  if (expected === 'string') return 'a string';
  return expected;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return typeof value;
}
