/*
 * Option validation (before any side effect, `invalid_options` naming the
 * option) and the defaults the session runs with.
 */
import { describe, expect, it } from 'vitest';
import { RtvoiceError } from './errors.js';
import { resolveOptions, type VoiceSessionOptions } from './options.js';
import { VoiceSession } from './session/voice-session.js';
import { OPENAI_CALLS_URL } from './token/token-source.js';

const build = (options: unknown) => () => new VoiceSession(options as VoiceSessionOptions);
const invalid = (option: string) => expect.objectContaining({ name: 'RtvoiceError', code: 'invalid_options', message: expect.stringContaining(`'${option}`) });
const execute = () => 'x';

describe('invalid options', () => {
  it.each([
    ['an unknown option', { tokenUrl: '/t', tokenRequestBody: {} }, 'tokenRequestBody'],
    ['a misspelt option', { tokenUrl: '/t', pushTotalk: true }, 'pushTotalk'],
    ['tokenUrl not a string', { tokenUrl: 42 }, 'tokenUrl'],
    ['getToken not a function', { getToken: 'ek_x' }, 'getToken'],
    ['tokenRequest not an object', { tokenUrl: '/t', tokenRequest: 'x' }, 'tokenRequest'],
    ['tools not an array', { tokenUrl: '/t', tools: {} }, 'tools'],
    ['toolAck neither false nor an object', { tokenUrl: '/t', toolAck: true }, 'toolAck'],
    ['reconnect neither false nor an object', { tokenUrl: '/t', reconnect: 3 }, 'reconnect'],
    ['a negative connectTimeoutMs', { tokenUrl: '/t', connectTimeoutMs: -1 }, 'connectTimeoutMs'],
    ['a zero toolTimeoutMs', { tokenUrl: '/t', toolTimeoutMs: 0 }, 'toolTimeoutMs'],
    ['an infinite preparedIdleMs', { tokenUrl: '/t', preparedIdleMs: Number.POSITIVE_INFINITY }, 'preparedIdleMs'],
    ['a string timeout', { tokenUrl: '/t', connectTimeoutMs: '5000' }, 'connectTimeoutMs'],
    ['pushToTalk not a boolean', { tokenUrl: '/t', pushToTalk: 'yes' }, 'pushToTalk'],
    ['budget without maxUsd', { tokenUrl: '/t', budget: {} }, 'budget.maxUsd'],
    ['a zero budget', { tokenUrl: '/t', budget: { maxUsd: 0 } }, 'budget.maxUsd'],
    ['budget not an object', { tokenUrl: '/t', budget: 5 }, 'budget'],
    ['an unknown logLevel', { tokenUrl: '/t', logLevel: 'verbose' }, 'logLevel'],
    ['transport not a function', { tokenUrl: '/t', transport: {} }, 'transport'],
    ['a tool without execute', { tokenUrl: '/t', tools: [{ name: 'a' }] }, 'tools.0'],
    ['a tool without a name', { tokenUrl: '/t', tools: [{ name: 'a', execute }, { execute }] }, 'tools.1'],
    ['a tool with an empty name', { tokenUrl: '/t', tools: [{ name: '', execute }] }, 'tools.0'],
    ['a tool declared twice', { tokenUrl: '/t', tools: [{ name: 'a', execute }, { name: 'a', execute }] }, 'tools.1'],
  ])('refuses %s', (_label, options, option) => {
    expect(build(options)).toThrow(invalid(option));
    expect(build(options)).toThrow(RtvoiceError);
  });

  it.each([
    ['neither tokenUrl nor getToken', {}],
    ['both tokenUrl and getToken', { tokenUrl: '/t', getToken: async () => 'ek_x' }],
    ['both callUrl and tokenUrl', { callUrl: '/api/call', tokenUrl: '/t' }],
    ['no options at all', undefined],
  ])('needs exactly one token source: refuses %s', (_label, options) => {
    expect(build(options)).toThrow(expect.objectContaining({ code: 'invalid_options', message: expect.stringMatching(/tokenUrl.*getToken/s) }));
  });

  it('accepts callUrl as the one way to connect', () => {
    expect(build({ callUrl: '/api/call', tokenRequest: { credentials: 'include' } })).not.toThrow();
    expect(build({ callUrl: 42 as unknown as string })).toThrow(expect.objectContaining({ code: 'invalid_options', message: expect.stringContaining('callUrl') }));
  });

  it('accepts options explicitly set to undefined, false for toolAck and reconnect, and every documented option', () => {
    expect(build({ tokenUrl: '/t', getToken: undefined, toolAck: false, reconnect: false })).not.toThrow();
    expect(
      build({
        tokenUrl: '/t',
        tokenRequest: { body: { voice: 'marin' }, headers: { Authorization: 'Bearer x' }, credentials: 'include' },
        callsUrl: 'https://example.test/calls',
        session: { instructions: 'Hi' },
        tools: [{ name: 'a', description: 'A', parameters: { type: 'object' }, execute }],
        toolAck: { afterMs: 500, instructions: 'Wait.' },
        toolTimeoutMs: 1000,
        audio: { echoCancellation: false },
        pushToTalk: true,
        reconnect: { maxAttempts: 5, backoffMs: (n: number) => n * 100 },
        prices: { m: { textIn: 1, textCachedIn: 1, textOut: 1, audioIn: 1, audioCachedIn: 1, audioOut: 1 } },
        budget: { maxUsd: 1, onExceeded: 'disconnect' },
        connectTimeoutMs: 1000,
        preparedIdleMs: 1000,
        transport: () => undefined,
        fetch: async () => new Response(),
        logLevel: 'debug',
        logger: console,
      }),
    ).not.toThrow();
  });
});

describe('defaults', () => {
  it('applies the documented defaults', () => {
    const o = resolveOptions({ tokenUrl: '/t' });
    expect(o).toMatchObject({
      tokenRequest: {},
      callsUrl: OPENAI_CALLS_URL,
      tools: [],
      toolAck: { afterMs: 1500, instructions: expect.any(String) },
      toolTimeoutMs: 30_000,
      audio: {},
      pushToTalk: false,
      prices: {},
      connectTimeoutMs: 15_000,
      preparedIdleMs: 60_000,
      logLevel: 'warn',
    });
    expect(o.reconnect).toMatchObject({ maxAttempts: 3 });
  });

  it('doubles the reconnection backoff from 500 ms, capped at 10 s; a number sets the first wait; a function is used as is', () => {
    const def = resolveOptions({ tokenUrl: '/t' }).reconnect;
    expect(def && [1, 2, 3, 4, 5, 6].map(def.backoffMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000]);
    const fixed = resolveOptions({ tokenUrl: '/t', reconnect: { backoffMs: 200, maxAttempts: 2 } }).reconnect;
    expect(fixed && [1, 2, 3].map(fixed.backoffMs)).toEqual([200, 400, 800]);
    expect(fixed && fixed.maxAttempts).toBe(2);
    const custom = (n: number) => n * 7;
    const fn = resolveOptions({ tokenUrl: '/t', reconnect: { backoffMs: custom } }).reconnect;
    expect(fn && fn.backoffMs(3)).toBe(21);
    expect(resolveOptions({ tokenUrl: '/t', reconnect: false }).reconnect).toBe(false);
  });

  it('keeps a partial toolAck’s other default', () => {
    expect(resolveOptions({ tokenUrl: '/t', toolAck: { afterMs: 300 } }).toolAck).toEqual({ afterMs: 300, instructions: expect.any(String) });
    expect(resolveOptions({ tokenUrl: '/t', toolAck: { instructions: 'Hold on.' } }).toolAck).toEqual({ afterMs: 1500, instructions: 'Hold on.' });
    expect(resolveOptions({ tokenUrl: '/t', toolAck: false }).toolAck).toBe(false);
  });
});
