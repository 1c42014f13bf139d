/**
 * A compact description of a JSON object's fields, checked by {@link checkShape}.
 *
 * A field is a type letter: `s` string, `i` id (a non-empty string), `n` number, `b` boolean, `o` object,
 * `p` positive number, `a` array, `f` function; followed by `?` when it may be absent and `~` when it may be null.
 * A nested object is a nested shape (required); `[shape]` is a nested value that
 * may be absent or null. Objects are loose: unknown fields are allowed.
 *
 * Hand-written instead of a schema library: the client's whole bundle budget
 * (14 kB gzip) is smaller than zod/mini's fixed cost, and the events rtvoice
 * reads need only these checks.
 */
export type Shape = { readonly [field: string]: Field };
type Field = string | Shape | readonly [Field];

const TYPES: Record<string, (v: unknown) => boolean> = {
  s: (v) => typeof v === 'string',
  i: (v) => typeof v === 'string' && v !== '',
  n: (v) => typeof v === 'number' && Number.isFinite(v),
  // Finite: setTimeout treats Infinity (anything over 2^31 − 1 ms) as 0, so 'no timeout' would mean 'at once'.
  p: (v) => typeof v === 'number' && v > 0 && Number.isFinite(v),
  b: (v) => typeof v === 'boolean',
  o: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  a: Array.isArray,
  f: (v) => typeof v === 'function',
};

/** Returns the path of the first field that does not match `shape`, or `undefined` when `value` matches. */
export function checkShape(value: unknown, shape: Shape, path = ''): string | undefined {
  if (!TYPES.o!(value)) return path || '(root)';
  for (const key in shape) {
    const problem = checkField((value as Record<string, unknown>)[key], shape[key]!, path ? `${path}.${key}` : key);
    if (problem) return problem;
  }
  return undefined;
}

function checkField(value: unknown, field: Field, path: string): string | undefined {
  if (Array.isArray(field)) return value == null ? undefined : checkField(value, field[0], path);
  if (typeof field !== 'string') return checkShape(value, field as Shape, path);
  if ((value === undefined && field.includes('?')) || (value === null && field.includes('~'))) return undefined;
  return TYPES[field[0]!]!(value) ? undefined : path;
}
