// Instruments the page the same way for every client under test, before any of them loads:
// when the token and the SDP answer arrive (fetch), the mic opens (getUserMedia), the offer is
// created, the data channel opens, session.created / session.updated / speech events arrive on it,
// and when the remote audio becomes audible or silent (an analyser on every remote track) and the
// mic signal starts (an analyser on every captured track). Times are performance.now().
(() => {
  const probe = {
    t0: 0,
    marks: {},
    events: [],
    outputLevel: 0,
    micLevel: 0,
    onLevels: null,
  };
  window.probe = probe;

  // Live timers, audio nodes and audio contexts, for the long-session benchmark.
  const timers = new Set();
  const wrapTimer = (set, clear, repeat) => {
    const origSet = window[set].bind(window);
    const origClear = window[clear].bind(window);
    window[set] = (fn, ms, ...args) => {
      const id = origSet((...a) => {
        if (!repeat) timers.delete(id);
        return typeof fn === 'function' ? fn(...a) : undefined;
      }, ms, ...args);
      timers.add(id);
      return id;
    };
    window[clear] = (id) => {
      timers.delete(id);
      return origClear(id);
    };
  };
  wrapTimer('setTimeout', 'clearTimeout', false);
  wrapTimer('setInterval', 'clearInterval', true);
  let nodesLive = 0;
  const nodeRegistry = new FinalizationRegistry(() => (nodesLive -= 1));
  const seen = new WeakSet();
  const connect = AudioNode.prototype.connect;
  let internal = false;
  AudioNode.prototype.connect = function (...args) {
    if (internal) return connect.apply(this, args);
    for (const node of [this, args[0]]) {
      if (node instanceof AudioNode && !seen.has(node)) {
        seen.add(node);
        nodesLive += 1;
        nodeRegistry.register(node, null);
      }
    }
    return connect.apply(this, args);
  };
  const contexts = [];
  const OrigAudioContext = window.AudioContext;
  window.AudioContext = class extends OrigAudioContext {
    constructor(...args) {
      super(...args);
      contexts.push(new WeakRef(this));
    }
  };
  /** Timers pending, audio nodes not yet collected (connected at least once), audio contexts not closed. */
  probe.counters = () => ({
    timers: timers.size,
    audioNodes: nodesLive,
    audioContexts: contexts.filter((r) => r.deref() && r.deref().state !== 'closed').length,
  });
  const mark = (name) => {
    if (probe.marks[name] === undefined) probe.marks[name] = performance.now();
  };
  probe.mark = mark;
  /** Keeps the last events only: the probe must not grow the heap it measures. */
  const record = (type) => {
    probe.events.push({ type, at: performance.now() });
    if (probe.events.length > 400) probe.events.splice(0, 200);
  };

  const origFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = String(typeof input === 'string' || input instanceof URL ? input : input.url);
    const res = await origFetch(input, init);
    if (url.includes('/token')) mark('token');
    else if (url.includes('/realtime/calls')) mark('sdp');
    return res;
  };

  const ctx = new AudioContext();
  probe.audioContext = ctx;
  const rms = (analyser, buf) => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (let i = 0; i < buf.length; i += 1) sum += buf[i] * buf[i];
    return Math.sqrt(sum / buf.length);
  };
  const meters = [];
  const remoteTracks = [];
  probe.remoteTracks = () => remoteTracks.filter((t) => t.readyState === 'live');
  const meter = (track, kind) => {
    if (kind === 'output') remoteTracks.push(track);
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 256; // 5.3 ms at 48 kHz: the level of the last few milliseconds
    internal = true; // the probe's own nodes are not counted
    source.connect(analyser);
    internal = false;
    meters.push({ kind, analyser, buf: new Float32Array(analyser.fftSize) });
  };
  // One 2 ms poll for every meter.
  setInterval(() => {
    // The loudest of each kind: a page may hold several remote tracks (an echo-cancellation loopback, a past call).
    let output = 0;
    let mic = 0;
    for (const m of meters) {
      const level = rms(m.analyser, m.buf);
      if (m.kind === 'output') output = Math.max(output, level);
      else mic = Math.max(mic, level);
    }
    probe.outputLevel = output;
    probe.micLevel = mic;
    if (output > 0.01 && probe.t0) mark('firstAudio');
    probe.onLevels?.(probe.outputLevel, probe.micLevel);
  }, 2);

  // When a client disables a remote track (rtvoice's instant silence on barge-in).
  const enabled = Object.getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'enabled');
  Object.defineProperty(MediaStreamTrack.prototype, 'enabled', {
    ...enabled,
    set(value) {
      if (!value && remoteTracks.includes(this)) probe.lastDisabled = performance.now();
      enabled.set.call(this, value);
    },
  });

  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await gum(constraints);
    mark('mic');
    for (const track of stream.getAudioTracks()) meter(track, 'mic');
    return stream;
  };

  const Orig = window.RTCPeerConnection;
  const createOffer = Orig.prototype.createOffer;
  Orig.prototype.createOffer = async function (...args) {
    const offer = await createOffer.apply(this, args);
    mark('offer');
    return offer;
  };
  const createDataChannel = Orig.prototype.createDataChannel;
  Orig.prototype.createDataChannel = function (...args) {
    const dc = createDataChannel.apply(this, args);
    const send = dc.send;
    dc.send = function (data) {
      const type = typeof data === 'string' ? /"type"\s*:\s*"([^"]+)"/.exec(data)?.[1] : undefined;
      if (type) record(`sent:${type}`);
      return send.call(this, data);
    };
    dc.addEventListener('open', () => mark('dcOpen'));
    dc.addEventListener('message', (e) => {
      if (typeof e.data !== 'string') return;
      const type = /"type"\s*:\s*"([^"]+)"/.exec(e.data)?.[1];
      if (type === 'session.created') mark('sessionCreated');
      if (type === 'session.updated') mark('sessionUpdated');
      if (type) record(type);
    });
    return dc;
  };
  class ProbedPeerConnection extends Orig {
    constructor(...args) {
      super(...args);
      this.addEventListener('track', (e) => e.track.kind === 'audio' && meter(e.track, 'output'));
    }
  }
  window.RTCPeerConnection = ProbedPeerConnection;

  // Server events over the WebSocket transport.
  const OrigWebSocket = window.WebSocket;
  class ProbedWebSocket extends OrigWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string') return;
        const type = /"type"\s*:\s*"([^"]+)"/.exec(e.data)?.[1];
        if (type === 'session.created') mark('sessionCreated');
        if (type === 'session.updated') mark('sessionUpdated');
        if (type && type !== 'response.output_audio.delta') record(type);
      });
    }
  }
  window.WebSocket = ProbedWebSocket;
  /** The arrival time of the last server event of `type` at the page, or 0. */
  probe.lastEvent = (type) => {
    for (let i = probe.events.length - 1; i >= 0; i -= 1) if (probe.events[i].type === type) return probe.events[i].at;
    return 0;
  };

  /** Milliseconds from the click to each mark (negative: before the click). */
  probe.result = () => Object.fromEntries(Object.entries(probe.marks).map(([k, v]) => [k, Math.round((v - probe.t0) * 10) / 10]));
})();
