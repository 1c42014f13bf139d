/**
 * Turning a zod issue into one precise, human message path (zod reports a failed union as a
 * single "Invalid input" at the union's path; the useful detail is inside).
 */

/** The fields of a zod issue this module reads. */
export interface IssueLike {
  /** Issue code, e.g. `invalid_union`. */
  code?: string;
  /** Path inside the validated value. */
  path: PropertyKey[];
  /** Zod's message. */
  message: string;
  /** For unions: the issues of each branch. */
  errors?: IssueLike[][];
}

/** The most specific issue: for a union, the branch issue that got furthest into the value. */
export function deepestIssue(issue: IssueLike, prefix: PropertyKey[] = []): { path: PropertyKey[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors === undefined) return { path, message: issue.message };
  let best = { path, message: issue.message };
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const candidate = deepestIssue(inner, path);
      if (candidate.path.length > best.path.length) best = candidate;
    }
  }
  return best;
}

