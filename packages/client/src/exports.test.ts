import { describe, expect, it, vi } from 'vitest';
import { installMicrophone } from '../test/harness.js';
import { FakeTransport } from './testing/fake-transport.js';

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

  it('connect() with a microphone but without WebRTC fails with unsupported_environment for RTCPeerConnection, and stops the mic', async () => {
    // A microphone, so that the missing RTCPeerConnection is what fails (not the missing getUserMedia).
    vi.stubGlobal('navigator', {});
    try {
      const mic = installMicrophone();
      const { VoiceSession } = await import('./index.js');
      const session = new VoiceSession({ getToken: async () => 'ek_x', logLevel: 'silent' });
      await expect(session.connect()).rejects.toMatchObject({ code: 'unsupported_environment', message: 'No RTCPeerConnection here.' });
      expect(session.state).toBe('failed');
      await vi.waitFor(() => expect(mic.tracks.map((t) => t.readyState)).toEqual(['ended']));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('connect() without getUserMedia fails with unsupported_environment for the microphone', async () => {
    const { VoiceSession } = await import('./index.js');
    const session = new VoiceSession({ getToken: async () => 'ek_x', logLevel: 'silent', transport: () => new FakeTransport() });
    await expect(session.connect()).rejects.toMatchObject({ code: 'unsupported_environment', message: 'No getUserMedia() (needs a secure context).' });
    expect(session.state).toBe('failed');
  });
});
