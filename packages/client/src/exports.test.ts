import { describe, expect, it } from 'vitest';

// The public surface, value exports only (types are checked by type-tests/ and the
// dist check). Changing it is an API change: update this list on purpose.
describe('public exports', () => {
  it('@rtvoice/client exports exactly its documented values', async () => {
    expect(Object.keys(await import('./index.js')).sort()).toEqual(
      ['AutoTransport', 'DEFAULT_PRICES', 'OPENAI_CALLS_URL', 'RtvoiceError', 'VoiceSession', 'WebRtcTransport', 'WebSocketTransport', 'autoTransport', 'decodeServerEvent', 'isRtvoiceError', 'isServerEvent', 'websocketTransport', 'websocketUrl'].sort(),
    );
  });

  it('@rtvoice/client/testing exports the fake transport', async () => {
    expect(Object.keys(await import('./testing/index.js'))).toEqual(['FakeTransport']);
  });

  it('imports and constructs where there is no DOM at all (server-side rendering)', async () => {
    expect(typeof document).toBe('undefined');
    expect(typeof RTCPeerConnection).toBe('undefined');
    const mod = await import('./index.js');
    const session = new mod.VoiceSession({ tokenUrl: '/api/token' });
    expect(session.state).toBe('idle');
    expect(session.getLevels()).toEqual({ input: 0, output: 0 });
    session.disconnect();
    expect(session.state).toBe('idle');
  });

  it('connect() without WebRTC fails with unsupported_environment instead of throwing at import', async () => {
    const { VoiceSession } = await import('./index.js');
    const session = new VoiceSession({ getToken: async () => 'ek_x' });
    await expect(session.connect()).rejects.toMatchObject({ code: 'unsupported_environment' });
    expect(session.state).toBe('failed');
  });
});
