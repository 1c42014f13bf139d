/*
 * The shape checker every server event and option goes through: it names the
 * first field that does not match, and lets unknown fields pass.
 */
import { describe, expect, it } from 'vitest';
import { checkShape } from './shape.js';

describe('checkShape', () => {
  it.each([
    ['a string', 'x'],
    ['null', null],
    ['an array', [1]],
    ['undefined', undefined],
  ])('reports (root) for %s', (_label, value) => {
    expect(checkShape(value, { a: 's' })).toBe('(root)');
  });

  it('passes a matching object and ignores unknown fields', () => {
    expect(checkShape({ a: 'x', n: 1, b: false, o: {}, l: [], f: () => 0, extra: 1 }, { a: 's', n: 'n', b: 'b', o: 'o', l: 'a', f: 'f' })).toBeUndefined();
  });

  it.each([
    ['a missing required field', {}, { a: 's' }, 'a'],
    ['a wrong type', { a: 1 }, { a: 's' }, 'a'],
    ['null where not nullable', { a: null }, { a: 's?' }, 'a'],
    ['absent where only nullable', {}, { a: 's~' }, 'a'],
    ['NaN as a number', { n: Number.NaN }, { n: 'n' }, 'n'],
    ['Infinity as a number', { n: Number.POSITIVE_INFINITY }, { n: 'n' }, 'n'],
    ['a numeric string as a number', { n: '1' }, { n: 'n' }, 'n'],
    ['zero as a positive number', { p: 0 }, { p: 'p' }, 'p'],
    ['Infinity as a positive number', { p: Number.POSITIVE_INFINITY }, { p: 'p' }, 'p'],
    ['an array as an object', { o: [] }, { o: 'o' }, 'o'],
    ['null as an object', { o: null }, { o: 'o' }, 'o'],
    ['an object as an array', { l: {} }, { l: 'a' }, 'l'],
    ['a string as a boolean', { b: 'true' }, { b: 'b' }, 'b'],
    ['a string as a function', { f: 'f' }, { f: 'f' }, 'f'],
  ])('names the field for %s', (_label, value, shape, path) => {
    expect(checkShape(value, shape)).toBe(path);
  });

  it('accepts absent for ?, null for ~, and both for ?~', () => {
    expect(checkShape({}, { a: 's?' })).toBeUndefined();
    expect(checkShape({ a: null }, { a: 's~' })).toBeUndefined();
    expect(checkShape({}, { a: 's?~' })).toBeUndefined();
    expect(checkShape({ a: null }, { a: 's?~' })).toBeUndefined();
    expect(checkShape({ a: 2 }, { a: 's?~' })).toBe('a');
  });

  it('checks a required nested object and gives the full path', () => {
    const shape = { response: { id: 's', usage: { total: 'n' } } };
    expect(checkShape({ response: { id: 'r', usage: { total: 3 } } }, shape)).toBeUndefined();
    expect(checkShape({}, shape)).toBe('response');
    expect(checkShape({ response: { id: 7 } }, shape)).toBe('response.id');
    expect(checkShape({ response: { id: 'r', usage: { total: 'x' } } }, shape)).toBe('response.usage.total');
  });

  it('treats [shape] as a nested value that may be absent or null, and checks it when present', () => {
    const shape = { details: [{ reason: 's?~' }] } as const;
    expect(checkShape({}, shape)).toBeUndefined();
    expect(checkShape({ details: null }, shape)).toBeUndefined();
    expect(checkShape({ details: { reason: 'turn_detected' } }, shape)).toBeUndefined();
    expect(checkShape({ details: { reason: 5 } }, shape)).toBe('details.reason');
    expect(checkShape({ details: 'x' }, shape)).toBe('details');
    expect(checkShape({ usage: 3 }, { usage: ['o'] })).toBe('usage');
  });

  it('prefixes paths with the given path', () => {
    expect(checkShape({ a: 1 }, { a: 's' }, 'item')).toBe('item.a');
    expect(checkShape(3, { a: 's' }, 'item')).toBe('item');
  });
});
