import { describe, expect, it } from 'vitest';
import { websocketUrl } from './websocket-transport.js';

describe('websocketUrl', () => {
  it("turns OpenAI's calls URL into its Realtime WebSocket URL", () => {
    expect(websocketUrl('https://api.openai.com/v1/realtime/calls')).toBe('wss://api.openai.com/v1/realtime');
  });

  it('keeps the query string and the host, and maps http to ws (loopback sims)', () => {
    expect(websocketUrl('http://127.0.0.1:8787/v1/realtime/calls?sim_scenario=demo')).toBe('ws://127.0.0.1:8787/v1/realtime?sim_scenario=demo');
  });

  it("maps Azure's GA calls URL", () => {
    expect(websocketUrl('https://res.openai.azure.com/openai/v1/realtime/calls')).toBe('wss://res.openai.azure.com/openai/v1/realtime');
  });

  it('adds ?model= when asked, unless the URL has one', () => {
    expect(websocketUrl('https://api.openai.com/v1/realtime/calls', { model: 'gpt-realtime' })).toBe('wss://api.openai.com/v1/realtime?model=gpt-realtime');
    expect(websocketUrl('https://x.test/v1/realtime/calls?model=a', { model: 'b' })).toBe('wss://x.test/v1/realtime?model=a');
  });

  it('uses a given URL or function as is', () => {
    expect(websocketUrl('https://api.openai.com/v1/realtime/calls', { url: 'wss://gw.test/rt' })).toBe('wss://gw.test/rt');
    expect(websocketUrl('https://a.test/v1/realtime/calls', { url: (c) => c.replace('https://a.test', 'wss://b.test') })).toBe('wss://b.test/v1/realtime/calls');
  });
});
