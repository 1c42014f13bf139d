// A bare page around @rtvoice/client (from the widget's script-tag bundle) that
// records everything the session reports, for the e2e tests to inspect.
(() => {
  const { VoiceSession } = window.RtvoiceWidget;
  const rec = {
    states: [],
    events: [],
    errors: [],
    transcripts: [],
    responses: [],
    agentAudio: [],
    metrics: null,
    maxOutputLevel: 0,
    outputLevels: [],
    connectError: null,
    micTrack: null,
    session: null,
  };
  window.rec = rec;
  let meter;

  // Remember every microphone track the page ever got, to check none is left open.
  const opened = [];
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await gum(constraints);
    opened.push(...stream.getTracks());
    return stream;
  };

  /** Starts a session against `/api/token` with the given query (sim faults and scenario go there). */
  window.start = async ({ tokenQuery = '', tokenDelayMs = 0, connectTimeoutMs = 15000 } = {}) => {
    const tokenUrl = `/api/token${tokenQuery ? `?${tokenQuery}` : ''}`;
    const getToken = async (signal) => {
      const res = await fetch(tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', signal });
      const body = await res.json();
      if (!res.ok) throw Object.assign(new Error(body?.error?.message ?? `status ${res.status}`), { status: res.status });
      await new Promise((r) => setTimeout(r, tokenDelayMs));
      return { value: body.value, expiresAt: body.expires_at, callsUrl: body.calls_url };
    };
    const session = new VoiceSession(tokenDelayMs ? { getToken, connectTimeoutMs } : { tokenUrl, connectTimeoutMs });
    rec.session = session;
    session.on('stateChange', (s) => rec.states.push(s.state));
    session.on('serverEvent', (e) => rec.events.push(e));
    session.on('error', (e) => rec.errors.push({ code: e.code, message: e.message, status: e.status, retryable: e.retryable }));
    session.on('transcript', (t) => t.final && rec.transcripts.push({ role: t.role, text: t.text }));
    session.on('responseDone', (r) => rec.responses.push({ status: r.status, reason: r.reason, usage: r.usage }));
    session.on('agentAudio', (a) => rec.agentAudio.push(a.state));
    session.on('metrics', (m) => (rec.metrics = m));
    try {
      await session.connect();
      rec.micTrack = session.micTrack;
      meter = setInterval(() => {
        const level = session.getLevels().output;
        rec.maxOutputLevel = Math.max(rec.maxOutputLevel, level);
        rec.outputLevels.push(level);
      }, 50);
    } catch (e) {
      rec.connectError = { code: e.code, message: e.message, status: e.status, retryable: e.retryable };
    }
  };

  /** Connects and disconnects `n` times in a row, leaving the instant the session is up. */
  window.flap = async (n) => {
    for (let i = 0; i < n; i += 1) {
      const res = await fetch('/api/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      const { value, calls_url: callsUrl } = await res.json();
      const s = new VoiceSession({ getToken: async () => ({ value, callsUrl }), session: { instructions: 'Be brief.' } });
      await s.connect();
      s.disconnect();
    }
  };

  window.stop = () => {
    clearInterval(meter);
    rec.session?.disconnect();
  };

  /** A snapshot of the record that survives structured cloning. */
  window.snapshot = () => ({
    ...rec,
    session: undefined,
    micTrack: undefined,
    micState: rec.micTrack?.readyState ?? null,
    openedMicStates: opened.map((t) => t.readyState),
    eventTypes: rec.events.map((e) => e.type),
    outputLevels: undefined,
  });
})();
