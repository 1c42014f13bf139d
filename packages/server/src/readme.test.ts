/**
 * The README's option and error tables are checked against the code, so they cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from './errors.js';
import { OPTION_NAMES } from './options.js';
import { CLIENT_OVERRIDE_KEYS } from './overrides.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README section "${title}"`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end === -1 ? undefined : end);
}

function firstColumn(text: string): string[] {
  return [...text.matchAll(/^\| `([a-z_A-Z]+)` \|/gm)].map((m) => m[1]!);
}

describe('README', () => {
  it('documents every option, and nothing else, in the options table', () => {
    expect(firstColumn(section('Options')).sort()).toEqual([...OPTION_NAMES].sort());
  });

  it('documents every error code with its status', () => {
    const text = section('Error codes');
    const rows = [...text.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    const creation = ['missing_api_key', 'invalid_options'];
    const expected = Object.entries(ERROR_STATUS).filter(([code]) => !creation.includes(code));
    expect(rows.sort()).toEqual(expected.sort());
    for (const code of creation) expect(text).toContain(`| \`${code}\` |`);
  });

  it('documents every client override key', () => {
    expect(firstColumn(section('What the browser sends and gets')).sort()).toEqual([...CLIENT_OVERRIDE_KEYS].sort());
  });
});
