import { describe, expect, it } from 'vitest';
import { startSim } from '../sim-server.js';
import { errorsFixture } from '../test-support/fixtures.js';
import { connectTestClient } from '../testing/rtc-client.js';
import { useSimCleanup } from '../test-support/sim-cleanup.js';

const fx = useSimCleanup();

describe('beta compatibility', () => {
  it('POST /v1/realtime/sessions mints a key inside the beta session object (1 minute by default)', async () => {
    fx.sim = await startSim();
    const res = await fetch(`${fx.sim.url}/v1/realtime/sessions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-realtime-preview-2025-06-03', voice: 'verse', modalities: ['audio', 'text'] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({
      object: 'realtime.session',
      model: 'gpt-4o-realtime-preview-2025-06-03',
      voice: 'verse',
      modalities: ['audio', 'text'],
      input_audio_format: 'pcm16',
      output_audio_format: 'pcm16',
      turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200 },
      temperature: 0.8,
    });
    expect(body.id).toMatch(/^sess_/);
    expect(body.client_secret.value).toMatch(/^ek_/);
    const ttl = body.client_secret.expires_at - Math.floor(Date.now() / 1000);
    expect(ttl).toBeGreaterThanOrEqual(59);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(body.audio).toBeUndefined();
    const bad = await fetch(`${fx.sim.url}/v1/realtime/sessions`, { method: 'POST', body: JSON.stringify({ output_modalities: ['audio'] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('unknown_parameter');
  });

  it('POST /v1/realtime?model= speaks beta event names and shapes', async () => {
    fx.sim = await startSim({ generationSpeed: 10 });
    const minted = (await (await fetch(`${fx.sim.url}/v1/realtime/sessions`, { method: 'POST', body: '{"model":"gpt-4o-realtime-preview","temperature":0.7}' })).json()) as {
      client_secret: { value: string };
    };
    const client = await connectTestClient(fx.sim.url, { key: minted.client_secret.value, path: '/v1/realtime?model=gpt-4o-realtime-preview' });
    fx.clients.push(client);
    const created = client.first('session.created');
    expect(created.session).toMatchObject({ object: 'realtime.session', input_audio_format: 'pcm16', modalities: ['audio', 'text'], temperature: 0.7 });

    // The recorded beta error: an unknown key under input_audio_transcription.
    client.send({ type: 'session.update', event_id: 'evt_nAh8N2BDAnkzVHMeH', session: { input_audio_transcription: { enabled: true } } });
    const error = await client.waitFor('error');
    const recorded = errorsFixture.error_events.find((e) => e.event?.error.code === 'unknown_parameter')?.event?.error;
    expect(error.error).toEqual(recorded);

    client.send({ type: 'session.update', session: { instructions: 'beta', turn_detection: null, input_audio_transcription: { model: 'whisper-1' } } });
    const updated = await client.waitFor('session.updated');
    expect(updated.session).toMatchObject({ instructions: 'beta', turn_detection: null, input_audio_transcription: { model: 'whisper-1' } });

    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
    client.send({ type: 'response.create', response: { modalities: ['audio', 'text'] } });
    const done = await client.waitFor('response.done', undefined, 8000);
    const types = client.events.map((e) => e.type);
    expect(types).toContain('conversation.item.created');
    expect(types).toContain('response.audio_transcript.delta');
    expect(types).toContain('response.audio.done');
    expect(types).toContain('response.audio_transcript.done');
    for (const gaOnly of ['conversation.item.added', 'conversation.item.done', 'response.output_audio.done', 'response.output_audio_transcript.delta']) {
      expect(types).not.toContain(gaOnly);
    }
    expect(done.response).toMatchObject({ status: 'completed', modalities: ['audio', 'text'], output_audio_format: 'pcm16', voice: 'alloy', temperature: 0.7 });
    expect(done.response.output[0].content[0].type).toBe('audio');
    expect(done.response.usage.input_token_details.image_tokens).toBeUndefined();
  });
});
