// A bare page around @rtvoice/client (from the widget's script-tag bundle) that
// records everything the session reports, for the e2e tests to inspect.
(() => {
  const { VoiceSession, websocketTransport, autoTransport } = window.RtvoiceWidget;
  const now = () => performance.now();
  const rec = {
    states: [],
    events: [],
    /** `performance.now()` at which each entry of `events` arrived. */
    eventAt: [],
    errors: [],
    transcripts: [],
    responses: [],
    agentAudio: [],
    metrics: null,
    metricsEvents: [],
    maxOutputLevel: 0,
    /** Sampled every 50 ms while connected: the session's own levels, and the monitor's (a clone of the mic). */
    levels: [],
    connectError: null,
    micTrack: null,
    session: null,
    toolCalls: [],
    toolResults: [],
    toolErrors: [],
    interrupted: [],
    speaking: [],
    usageEvents: [],
    historyChanges: 0,
    tokenRequests: [],
    /** Client events the page sent on any data channel, as JSON, with the index of their peer connection. */
    sent: [],
  };
  window.rec = rec;
  let meter;

  // Every RTCPeerConnection the page creates, and what was sent on its data channels.
  const NativePC = window.RTCPeerConnection;
  const pcs = [];
  class RecordingPC extends NativePC {
    constructor(...args) {
      super(...args);
      this.__index = pcs.length;
      this.__offers = 0;
      this.__localDescriptions = 0;
      this.__negotiationNeeded = 0;
      this.__channels = [];
      pcs.push(this);
      this.addEventListener('negotiationneeded', () => (this.__negotiationNeeded += 1));
    }
    createDataChannel(...args) {
      const dc = super.createDataChannel(...args);
      this.__channels.push(dc);
      const send = dc.send.bind(dc);
      const pc = this.__index;
      dc.send = (data) => {
        try {
          rec.sent.push({ t: now(), pc, event: JSON.parse(data) });
        } catch {
          rec.sent.push({ t: now(), pc, event: { type: '(not json)' } });
        }
        return send(data);
      };
      return dc;
    }
    createOffer(...args) {
      this.__offers += 1;
      return super.createOffer(...args);
    }
    setLocalDescription(...args) {
      this.__localDescriptions += 1;
      return super.setLocalDescription(...args);
    }
  }
  window.RTCPeerConnection = RecordingPC;

  // Every WebSocket the page opens, and the client events sent on it (`pc: 'ws'`; audio appends only counted).
  const NativeWebSocket = window.WebSocket;
  const sockets = [];
  rec.appends = 0;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      sockets.push({ url: String(url), protocols: [].concat(protocols ?? []), socket: this });
    }
    send(data) {
      if (typeof data === 'string' && data.startsWith('{"type":"input_audio_buffer.append"')) rec.appends += 1;
      else {
        try {
          rec.sent.push({ t: now(), pc: 'ws', event: JSON.parse(data) });
        } catch {
          rec.sent.push({ t: now(), pc: 'ws', event: { type: '(not json)' } });
        }
      }
      return super.send(data);
    }
  };
  /** The page's WebSockets: URL, subprotocols (the key redacted to its prefix) and readyState. */
  window.webSockets = () =>
    sockets.map((s) => ({ url: s.url, protocols: s.protocols.map((p) => p.replace(/^(openai-insecure-api-key\.ek_).*/, '$1…')), readyState: s.socket.readyState, protocol: s.socket.protocol }));

  // Every SDP offer POSTed (to the sim's calls endpoint).
  const sdpPosts = [];
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input.url;
    if (/\/realtime\/calls/.test(url)) sdpPosts.push({ t: now(), url });
    return nativeFetch(input, init);
  };

  // Every AudioContext the SDK creates (the page's own monitor uses the native one, unrecorded).
  const NativeAudioContext = window.AudioContext;
  const contexts = [];
  window.AudioContext = class extends NativeAudioContext {
    constructor(...args) {
      super(...args);
      contexts.push(this);
    }
  };

  // Remember every microphone track the page ever got, to check none is left open.
  const opened = [];
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await gum(constraints);
    opened.push(...stream.getTracks());
    return stream;
  };

  // Tools the tests can declare by name (functions cannot cross page.evaluate).
  const sleep = (ms, signal) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
    });
  const weatherTool = (delayMs) => ({
    name: 'get_weather',
    description: 'Current weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    execute: async ({ city }, { signal }) => {
      if (delayMs) await sleep(delayMs, signal);
      return { city, temperature_c: 21, conditions: 'sunny' };
    },
  });

  /**
   * Starts a session against `/api/token` with the given query (sim faults and scenario go there).
   * `firstTokenQuery` is added to the first token request only (a fault for the first connection).
   */
  window.start = async ({
    tokenQuery = '',
    firstTokenQuery = '',
    tokenDelayMs = 0,
    connectTimeoutMs = 15000,
    tool,
    toolDelayMs = 0,
    toolAck,
    pushToTalk,
    muted = false,
    reconnect,
    session: sessionConfig,
    transport,
    webrtcTimeoutMs,
    callUrl,
    requestHeaders,
    prepare,
    prepareWaitMs = 0,
  } = {}) => {
    const tokenUrl = `/api/token${tokenQuery ? `?${tokenQuery}` : ''}`;
    const getToken = async (signal) => {
      const extra = rec.tokenRequests.length === 0 ? firstTokenQuery : '';
      const url = extra ? `${tokenUrl}${tokenQuery ? '&' : '?'}${extra}` : tokenUrl;
      rec.tokenRequests.push({ t: now(), url });
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', signal });
      const body = await res.json();
      if (!res.ok) throw Object.assign(new Error(body?.error?.message ?? `status ${res.status}`), { status: res.status });
      await new Promise((r) => setTimeout(r, tokenDelayMs));
      return { value: body.value, expiresAt: body.expires_at, callsUrl: body.calls_url };
    };
    const options = callUrl
      ? { callUrl, connectTimeoutMs, ...(requestHeaders && { tokenRequest: { headers: requestHeaders } }) }
      : tokenDelayMs || firstTokenQuery
        ? { getToken, connectTimeoutMs }
        : { tokenUrl, connectTimeoutMs };
    if (tool === 'weather') options.tools = [weatherTool(toolDelayMs)];
    if (toolAck !== undefined) options.toolAck = toolAck;
    if (pushToTalk !== undefined) options.pushToTalk = pushToTalk;
    if (reconnect !== undefined) options.reconnect = reconnect;
    if (sessionConfig) options.session = sessionConfig;
    // The widget bundle's factories: the worklet is served next to the bundle.
    if (transport === 'websocket') options.transport = websocketTransport();
    if (transport === 'auto') {
      rec.fallbacks = [];
      options.transport = autoTransport({ webrtcTimeoutMs, onFallback: (reason) => rec.fallbacks.push({ code: reason.code, t: now() }) });
    }
    const session = new VoiceSession(options);
    rec.session = session;
    session.on('stateChange', (s) => rec.states.push(s.state));
    session.on('serverEvent', (e) => {
      rec.events.push(e);
      rec.eventAt.push(now());
    });
    session.on('error', (e) =>
      rec.errors.push({ code: e.code, message: e.message, status: e.status, retryable: e.retryable, cause: e.cause?.code, causeStatus: e.cause?.status, causeMessage: e.cause?.message }),
    );
    session.on('transcript', (t) => t.final && rec.transcripts.push({ role: t.role, text: t.text, itemId: t.itemId, responseId: t.responseId, t: now() }));
    session.on('responseDone', (r) => rec.responses.push({ responseId: r.responseId, status: r.status, reason: r.reason, usage: r.usage, t: now() }));
    session.on('agentAudio', (a) => rec.agentAudio.push(a.state));
    session.on('metrics', (m) => {
      rec.metricsEvents.push({ ...m, t: now() });
      if (m.kind !== 'turn') rec.metrics = m;
    });
    session.on('toolCall', (e) => rec.toolCalls.push({ ...e, t: now() }));
    session.on('toolResult', (e) => rec.toolResults.push({ ...e, t: now() }));
    session.on('toolError', (e) => rec.toolErrors.push({ callId: e.callId, name: e.name, code: e.error.code, t: now() }));
    session.on('interrupted', (e) => {
      // Checked in the same task as the event: local playback must already be off.
      const remote = session.remoteStream?.getAudioTracks()[0];
      rec.interrupted.push({ ...e, t: now(), remoteTrackEnabled: remote?.enabled ?? null, history: session.history });
    });
    session.on('speaking', (e) => rec.speaking.push({ who: e.who, t: now() }));
    session.on('usage', (u) => rec.usageEvents.push(u));
    session.on('historyChange', () => (rec.historyChanges += 1));
    if (muted) session.mute();
    try {
      // prepare: 'local' (mic, token, offer) or 'connection', then connect() prepareWaitMs later.
      if (prepare) {
        await session.prepare(prepare === 'connection' ? { connect: true } : {});
        await new Promise((r) => setTimeout(r, prepareWaitMs));
      }
      await session.connect();
      rec.micTrack = session.micTrack;
      meter = setInterval(sample, 50);
    } catch (e) {
      rec.connectError = { code: e.code, message: e.message, status: e.status, retryable: e.retryable, cause: e.cause?.code };
    }
  };

  // A second analyser on a clone of the mic track: it hears the fake mic even while the session's track is disabled.
  let monitor;
  window.startMonitor = () => {
    const track = rec.session.micTrack.clone();
    track.enabled = true;
    const context = new NativeAudioContext();
    const node = context.createAnalyser();
    node.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([track])).connect(node);
    monitor = { track, context, node, buffer: new Float32Array(512) };
  };
  const monitorLevel = () => {
    if (!monitor) return null;
    monitor.node.getFloatTimeDomainData(monitor.buffer);
    let sum = 0;
    for (const v of monitor.buffer) sum += v * v;
    return Math.sqrt(sum / monitor.buffer.length);
  };
  window.stopMonitor = async () => {
    monitor?.track.stop();
    await monitor?.context.close();
    monitor = undefined;
  };

  function sample() {
    const session = rec.session;
    if (!session) return;
    const { input, output } = session.getLevels();
    rec.maxOutputLevel = Math.max(rec.maxOutputLevel, output);
    rec.levels.push({ t: now(), input, output, monitor: monitorLevel(), state: session.state });
  }

  /** The microphone goes away (unplugged, permission revoked): its track ends by itself. */
  window.endMicTrack = () => {
    const track = rec.session.micTrack;
    track.stop();
    track.dispatchEvent(new Event('ended'));
  };

  /** An app listener with a bug: it throws on every `type` event. */
  window.addThrowingListener = (type) => rec.session.on(type, () => {
    throw new Error(`app bug in a ${type} listener`);
  });

  /** Makes the next getUserMedia call fail with a DOMException named `name`, as the browser does. */
  window.failNextGetUserMedia = (name) => {
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      navigator.mediaDevices.getUserMedia = original;
      throw new DOMException(`getUserMedia failed (${name})`, name);
    };
  };

  /** Calls a method of the session and returns its (awaited) result; an error comes back as `{ error: code }`. */
  window.call = async (method, ...args) => {
    try {
      const result = await rec.session[method](...args);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (e) {
      return { error: e.code ?? e.name, message: e.message };
    }
  };

  /** The session's getters, cloned. */
  window.sessionInfo = () => {
    const s = rec.session;
    const micTrack = s.micTrack;
    const remote = s.remoteStream?.getAudioTracks()[0];
    return JSON.parse(
      JSON.stringify({
        state: s.state,
        muted: s.muted,
        pushToTalk: s.pushToTalk,
        speaking: s.speaking,
        history: s.history,
        usage: s.usage,
        metrics: s.metrics,
        mic: micTrack ? { id: micTrack.id, enabled: micTrack.enabled, readyState: micTrack.readyState, deviceId: micTrack.getSettings().deviceId } : null,
        remote: remote ? { id: remote.id, enabled: remote.enabled, readyState: remote.readyState } : null,
        audioElement: s.audioElement ? { paused: s.audioElement.paused, hasSource: s.audioElement.srcObject !== null } : null,
      }),
    );
  };

  /** The peer connections the page created, and how they are now. */
  window.peerConnections = () =>
    pcs.map((pc) => ({
      connectionState: pc.connectionState,
      signalingState: pc.signalingState,
      iceConnectionState: pc.iceConnectionState,
      offers: pc.__offers,
      localDescriptions: pc.__localDescriptions,
      negotiationNeeded: pc.__negotiationNeeded,
      senderTrackIds: pc.signalingState === 'closed' ? [] : pc.getSenders().map((s) => s.track?.id ?? null),
      channels: pc.__channels.map((dc) => dc.readyState),
    }));

  /** How many SDP offers were POSTed. */
  window.sdpPosts = () => sdpPosts.length;

  /** The states of the AudioContexts the SDK created. */
  window.audioContexts = () => contexts.map((c) => c.state);

  /** A frequency spectrum of one side, summed (0 when silent). */
  window.spectrumSum = (kind) => rec.session.getFrequencyData(kind, new Uint8Array(256)).reduce((a, b) => a + b, 0);

  /** Disconnects and reports, right after the promise resolved, what is still open. */
  window.disconnectAndInspect = async () => {
    const element = rec.session.audioElement;
    await rec.session.disconnect();
    clearInterval(meter);
    return {
      state: rec.session.state,
      micStates: opened.map((t) => t.readyState),
      peerConnections: window.peerConnections(),
      audioContexts: window.audioContexts(),
      element: element ? { paused: element.paused, hasSource: element.srcObject !== null, inDocument: element.isConnected } : null,
      audioElementAfter: rec.session.audioElement === undefined ? null : 'still there',
    };
  };

  /** Connects and disconnects `n` times in a row, leaving the instant the session is up. */
  window.flap = async (n) => {
    for (let i = 0; i < n; i += 1) {
      const res = await fetch('/api/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      const body = await res.text();
      if (!res.ok) throw new Error(`flap ${i}: the token endpoint answered ${res.status}: ${body}`);
      const { value, calls_url: callsUrl } = JSON.parse(body);
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
  window.snapshot = () =>
    JSON.parse(
      JSON.stringify({
        ...rec,
        session: undefined,
        micTrack: undefined,
        micState: rec.micTrack?.readyState ?? null,
        openedMicStates: opened.map((t) => t.readyState),
        eventTypes: rec.events.map((e) => e.type),
      }),
    );
})();
