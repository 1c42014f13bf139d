/*
 * The emitter behind session.on(): registration order, once(), removing and
 * adding during an emit, and a throwing listener that cannot break the others.
 */
import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from './emitter.js';

interface Events {
  a: [n: number];
  b: [s: string];
}

function emitter() {
  const errors: Array<[unknown, keyof Events]> = [];
  return { e: new TypedEmitter<Events>((error, type) => errors.push([error, type])), errors };
}

describe('TypedEmitter', () => {
  it('calls listeners in registration order with the payload; on() returns the unsubscribe function', () => {
    const { e } = emitter();
    const calls: string[] = [];
    const off = e.on('a', (n) => calls.push(`first ${n}`));
    e.on('a', (n) => calls.push(`second ${n}`));
    e.emit('a', 1);
    off();
    e.emit('a', 2);
    expect(calls).toEqual(['first 1', 'second 1', 'second 2']);
  });

  it('registers the same function once', () => {
    const { e } = emitter();
    const l = vi.fn();
    e.on('a', l);
    e.on('a', l);
    e.emit('a', 1);
    expect(l).toHaveBeenCalledOnce();
    expect(e.listenerCount('a')).toBe(1);
  });

  it('once() fires once, even when its listener emits the same event again', () => {
    const { e } = emitter();
    const l = vi.fn((n: number) => {
      if (n === 1) e.emit('a', 2);
    });
    e.once('a', l);
    e.emit('a', 1);
    e.emit('a', 3);
    expect(l.mock.calls).toEqual([[1]]);
    expect(e.listenerCount('a')).toBe(0);
  });

  it('off() and the returned function remove a once() listener before it fires', () => {
    const { e } = emitter();
    const l = vi.fn();
    e.once('a', l);
    e.off('a', l);
    const m = vi.fn();
    const off = e.once('a', m);
    off();
    e.emit('a', 1);
    expect(l).not.toHaveBeenCalled();
    expect(m).not.toHaveBeenCalled();
  });

  it('keeps the same function registered with once() on two events independent', () => {
    const { e } = emitter();
    const l = vi.fn();
    e.once('a', l);
    e.once('b', l);
    e.emit('a', 1);
    e.emit('a', 2);
    e.emit('b', 'x');
    e.emit('b', 'y');
    expect(l.mock.calls).toEqual([[1], ['x']]);
    expect(e.listenerCount('a') + e.listenerCount('b')).toBe(0);
  });

  it('does not skip the next listener when one removes itself during the emit', () => {
    const { e } = emitter();
    const calls: string[] = [];
    const self = () => {
      calls.push('self');
      e.off('a', self);
    };
    e.on('a', self);
    e.once('a', () => calls.push('once'));
    e.on('a', () => calls.push('last'));
    e.emit('a', 1);
    e.emit('a', 2);
    expect(calls).toEqual(['self', 'once', 'last', 'last']);
  });

  it('calls a listener added during an emit from the next emit on', () => {
    const { e } = emitter();
    const late = vi.fn();
    e.on('a', () => e.on('a', late));
    e.emit('a', 1);
    expect(late).not.toHaveBeenCalled();
    e.emit('a', 2);
    expect(late).toHaveBeenCalledWith(2);
  });

  it('isolates a throwing listener: the others run and the error is reported with its event', () => {
    const { e, errors } = emitter();
    const boom = new Error('app bug');
    const after = vi.fn();
    e.on('b', () => {
      throw boom;
    });
    e.on('b', after);
    expect(() => e.emit('b', 'x')).not.toThrow();
    expect(after).toHaveBeenCalledWith('x');
    expect(errors).toEqual([[boom, 'b']]);
  });

  it('removes all listeners of one event, or of all', () => {
    const { e } = emitter();
    const a = vi.fn();
    const b = vi.fn();
    e.on('a', a);
    e.on('b', b);
    e.removeAllListeners('a');
    e.emit('a', 1);
    e.emit('b', 'x');
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledOnce();
    e.removeAllListeners();
    e.emit('b', 'y');
    expect(b).toHaveBeenCalledOnce();
    expect(e.listenerCount('b')).toBe(0);
  });
});
