// A conversation with one client (rtvoice over WebRTC or the WebSocket, or the quick start written by
// hand), measured at the page from the probe's levels: turn latency (the end of speech in the mic
// signal, and the server's speech_stopped arriving → the answer audible) and barge-in (the speech
// onset in the mic signal, and speech_started arriving → the answer silent). The fake mic speaks
// one utterance every ~11 s.
const probe = window.probe;
const sim = new URLSearchParams(location.search).get('sim');
const callsUrl = `${sim}/v1/realtime/calls`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let close = async () => undefined;

const MIC_VOICE = 0.02;
const OUT_AUDIBLE = 0.01;
const OUT_SILENT = 0.001;
const SILENCED_MS = 450;

window.startClient = async (variant, scenario, silenceMs) => {
  const tokenUrl = `/token${scenario ? `?sim_scenario=${scenario}` : ''}`;
  const turnDetection = { type: 'server_vad', silence_duration_ms: silenceMs };
  if (variant === 'baseline') {
    const { value } = await (await fetch(tokenUrl, { method: 'POST' })).json();
    const pc = new RTCPeerConnection();
    const audioElement = document.getElementById('remote');
    pc.ontrack = (e) => (audioElement.srcObject = e.streams[0]);
    const ms = await navigator.mediaDevices.getUserMedia({ audio: true });
    pc.addTrack(ms.getTracks()[0]);
    const dc = pc.createDataChannel('oai-events');
    const opened = new Promise((r) => dc.addEventListener('open', r));
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const res = await fetch(callsUrl, { method: 'POST', body: offer.sdp, headers: { Authorization: `Bearer ${value}`, 'Content-Type': 'application/sdp' } });
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    await opened;
    dc.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: turnDetection } } } }));
    close = async () => (ms.getTracks().forEach((t) => t.stop()), pc.close());
    return;
  }
  const { VoiceSession, websocketTransport } = window.RtvoiceWidget;
  const session = new VoiceSession({
    tokenUrl,
    callsUrl,
    session: { audio: { input: { turn_detection: turnDetection } } },
    ...(variant === 'rtvoice-ws' && { transport: websocketTransport() }),
  });
  window.session = session;
  await session.connect();
  close = () => session.disconnect();
};

window.stopClient = () => close();

/** Calls `check(now, out, mic)` on every level poll until it returns a value or `ms` pass. */
function watch(check, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => ((probe.onLevels = null), resolve(undefined)), ms);
    probe.onLevels = (out, mic) => {
      const v = check(performance.now(), out, mic);
      if (v !== undefined) {
        clearTimeout(timer);
        probe.onLevels = null;
        resolve(v);
      }
    };
  });
}

/**
 * `n` turns: each from the end of the user's speech (in the mic signal) to the answer audible at
 * the page; also from the server's speech_stopped reaching the page.
 */
window.measureTurns = async (n) => {
  const turns = [];
  for (let i = 0; i < n; i += 1) {
    // Wait for the user to speak while the agent is silent, then for the answer.
    let lastVoice = 0;
    let spoke = false;
    const heard = await watch((now, out, mic) => {
      if (mic > MIC_VOICE) ((lastVoice = now), (spoke = true));
      if (spoke && out > OUT_AUDIBLE && now - lastVoice > 100) return now;
      return undefined;
    }, 20_000);
    if (heard === undefined) continue;
    const stopped = probe.lastEvent('input_audio_buffer.speech_stopped');
    turns.push({ fromSpeechEnd: heard - lastVoice, fromSpeechStopped: stopped > lastVoice ? heard - stopped : null });
    // Let the answer finish before the next turn.
    await watch((now, out) => (out < OUT_SILENT ? now : undefined), 20_000);
    await sleep(300);
  }
  return turns;
};

/**
 * `n` barge-ins on a long answer: from the speech onset in the mic signal, and from speech_started
 * reaching the page, to the answer silent at the page.
 */
window.measureBargeIns = async (n) => {
  const results = [];
  for (let i = 0; i < n; i += 1) {
    let playingSince = 0;
    let onset = 0;
    let quietMic = true;
    let silentSince = 0;
    const silent = await watch((now, out, mic) => {
      if (!onset && out > OUT_AUDIBLE && !playingSince) playingSince = now;
      if (mic < MIC_VOICE / 4) quietMic = true;
      // An onset while the answer has been playing for a while: the user speaks over it.
      if (!onset && playingSince && now - playingSince > 500 && quietMic && mic > MIC_VOICE) onset = now;
      if (mic > MIC_VOICE) quietMic = false;
      if (!onset) return undefined;
      // Silenced: the output stays silent longer than any pause of the voice (260 ms between sentences).
      if (out >= OUT_SILENT) silentSince = 0;
      else if (!silentSince) silentSince = now;
      return silentSince && now - silentSince > SILENCED_MS ? silentSince : undefined;
    }, 40_000);
    if (silent === undefined || !onset) continue;
    const started = probe.lastEvent('input_audio_buffer.speech_started');
    const disabled = probe.lastDisabled ?? 0;
    results.push({
      fromMicOnset: silent - onset,
      // 0 when the answer was already in a pause that the client then kept silent.
      fromSpeechStarted: started >= onset ? Math.max(0, silent - started) : null,
      // The client's own part: speech_started arriving → the remote track disabled (when it does that).
      toTrackDisabled: started >= onset && disabled >= started ? disabled - started : null,
    });
    // Wait until the user is done and the next answer plays.
    await sleep(1000);
  }
  return results;
};

/**
 * The floor of the silence measurement: while the answer plays, the page itself disables the
 * remote track (what rtvoice does on barge-in) and times how long the probe takes to read silence.
 * Whatever a client does, "→ silent" cannot be measured below this.
 */
window.measureSilenceFloor = async (n) => {
  const floors = [];
  for (let i = 0; i < n; i += 1) {
    const audible = await watch((now, out) => (out > OUT_AUDIBLE ? now : undefined), 30_000);
    if (audible === undefined) continue;
    await sleep(200);
    const tracks = window.probe.remoteTracks();
    const t0 = performance.now();
    for (const t of tracks) t.enabled = false;
    let silentSince = 0;
    const silent = await watch((now, out) => {
      if (out >= OUT_SILENT) silentSince = 0;
      else if (!silentSince) silentSince = now;
      return silentSince && now - silentSince > SILENCED_MS ? silentSince : undefined;
    }, 5000);
    for (const t of tracks) t.enabled = true;
    if (silent !== undefined) floors.push(silent - t0);
    await sleep(500);
  }
  return floors;
};

/**
 * The long session: rtvoice with a page tool, `turns` typed turns answered by the bench-soak
 * scenario (a filler, a tool call, an answer), every third one interrupted half way; the fake mic
 * keeps speaking too (voice turns and barge-ins every ~11 s). Resolves with what happened.
 */
window.startSoak = async () => {
  const { VoiceSession } = window.RtvoiceWidget;
  const session = new VoiceSession({
    tokenUrl: '/token?sim_scenario=bench-soak',
    callsUrl,
    tools: [
      {
        name: 'lookup',
        description: 'Looks an order up.',
        parameters: { type: 'object', properties: { id: { type: 'number' } } },
        execute: async ({ id }) => ({ id, status: 'shipped', day: 'Tuesday' }),
      },
    ],
  });
  window.session = session;
  await session.connect();
  close = () => session.disconnect();
};

window.soakTurns = async (turns) => {
  const session = window.session;
  const done = { turns: 0, interrupted: 0, toolCalls: 0, toolResults: 0, responses: 0, timedOut: 0 };
  session.on('toolCall', () => (done.toolCalls += 1));
  session.on('toolResult', () => (done.toolResults += 1));
  session.on('responseDone', () => (done.responses += 1));
  for (let i = 0; i < turns; i += 1) {
    // The turn ends with the response after the tool's result.
    const answered = new Promise((resolve) => {
      let toolDone = false;
      const onTool = () => (toolDone = true);
      const end = () => (clearTimeout(timer), session.off('toolResult', onTool), session.off('responseDone', onDone), resolve());
      const onDone = () => toolDone && end();
      const timer = setTimeout(() => ((done.timedOut += 1), end()), 8000);
      session.on('toolResult', onTool);
      session.on('responseDone', onDone);
    });
    session.sendText(`Where is order ${i}?`);
    if (i % 3 === 2) {
      await sleep(900);
      if (session.interrupt()) done.interrupted += 1;
    }
    await answered;
    done.turns += 1;
  }
  return { ...done, history: session.history.length };
};
