/**
 * The README's "Server-controlled calls" tables are checked against the code, so they cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CALL_OPTION_NAMES } from './call-options.js';
import { CONTROLLER_OPTION_NAMES } from './controller.js';
import { CALL_ERROR_STATUS } from './errors.js';
import { CALL_END_REASONS, CALL_EVENT_TYPES, type CallEventType } from './events.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('\n## Server-controlled calls');
const end = readme.indexOf('\n## ', start + 1);
const calls = readme.slice(start, end === -1 ? undefined : end);

function subsection(title: string): string {
  const start = calls.indexOf(`\n### ${title}\n`);
  expect(start, `README subsection "${title}"`).toBeGreaterThanOrEqual(0);
  const end = calls.indexOf('\n### ', start + 5);
  return calls.slice(start, end === -1 ? undefined : end);
}

const firstColumn = (text: string) => [...text.matchAll(/^\| `([a-zA-Z_.]+)` \|/gm)].map((m) => m[1]!);

describe('README: server-controlled calls', () => {
  it('has the section', () => {
    expect(start).toBeGreaterThan(0);
  });

  it('documents every call endpoint option and every controller option, and nothing else', () => {
    expect(firstColumn(subsection('Call endpoint options')).sort()).toEqual([...CALL_OPTION_NAMES].sort());
    expect(firstColumn(subsection('Controller options')).sort()).toEqual([...CONTROLLER_OPTION_NAMES].sort());
  });

  it('documents every request-time error code with its status', () => {
    const rows = [...subsection('What the browser sends and gets (calls)').matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    const creation = ['missing_api_key', 'invalid_options'];
    expect(rows.sort()).toEqual(Object.entries(CALL_ERROR_STATUS).filter(([code]) => !creation.includes(code)).sort());
  });

  it('documents every event and every end reason', () => {
    const controller = subsection('The controller');
    expect(firstColumn(controller).sort()).toEqual([...CALL_EVENT_TYPES].sort());
    for (const reason of CALL_END_REASONS) expect(controller).toContain(`\`${reason}\``);
    // The list holds every key of the map: a type error here names the missing event.
    type Missing = Exclude<CallEventType, (typeof CALL_EVENT_TYPES)[number]>;
    const complete: [Missing] extends [never] ? true : Missing = true;
    expect(complete).toBe(true);
  });
});
