/**
 * The rtc host: a child process of the sim that runs the native WebRTC stack (`@roamhq/wrtc`)
 * of a few calls, and nothing else. wrtc can crash its whole process: SIGSEGV in
 * `RTCDataChannel.send` when the browser closes the channel at that very instant (the native
 * close clears the channel on another thread between the check and the send). Out here, such a
 * crash ends this host's calls only; the sim, its HTTP and WebSocket endpoints, its keys and the
 * other calls go on.
 *
 * Started by {@link HostPool} with an IPC channel; speaks {@link ToHost} / {@link FromHost}.
 * Exits when told to, or when the sim goes away (IPC disconnect). Always through
 * `process.exit()`: a process that created an `RTCAudioSource` may abort in wrtc's finalizers
 * at a natural exit.
 */
import type { SimLogger } from '../logger.js';
import { AudioBatcher, compact, type FromHost, type HostAnswerRequest, type ToHost, unpack } from './host-protocol.js';
import { SimPeer } from './peer.js';
import { loadWrtc } from './wrtc.js';

interface HostedCall {
  peer?: SimPeer;
  /** The output the peer registered: the sim's clock pushes each frame through it. */
  push?: (frame: Int16Array) => void;
  /** Closed by the sim while its answer was being prepared. */
  closed?: boolean;
}

const calls = new Map<number, HostedCall>();

const post = (message: FromHost): void => {
  if (process.connected) process.send?.(message);
};

const logger: SimLogger = {
  debug: (message, fields) => post({ t: 'log', level: 'debug', message, ...(fields && { fields }) }),
  info: (message, fields) => post({ t: 'log', level: 'info', message, ...(fields && { fields }) }),
  warn: (message, fields) => post({ t: 'log', level: 'warn', message, ...(fields && { fields }) }),
  error: (message, fields) => post({ t: 'log', level: 'error', message, ...(fields && { fields }) }),
};

function exit(): never {
  for (const call of calls.values()) call.peer?.close();
  process.exit(0);
}

/** Microphone audio waiting to cross, sent with the next clock tick (at most {@link AUDIO_FLUSH_MS} later). */
const audio = new AudioBatcher();
let audioTimer: ReturnType<typeof setTimeout> | undefined;
const AUDIO_FLUSH_MS = 10;

function queueAudio(id: number, samples: Int16Array): void {
  audio.add(id, samples);
  audioTimer ??= setTimeout(flushAudio, AUDIO_FLUSH_MS);
}

/** Sends the queued audio of every call as one message: one per tick instead of one per call and 10 ms. */
function flushAudio(): void {
  clearTimeout(audioTimer);
  audioTimer = undefined;
  const batch = audio.flush();
  if (batch) post({ t: 'audio', ...batch });
}

async function answer(request: HostAnswerRequest): Promise<void> {
  const { id } = request;
  const call: HostedCall = {};
  calls.set(id, call);
  try {
    const peer = await SimPeer.answer(
      request.offerSdp,
      {
        open: () => {
          post({ t: 'open', id });
          if (request.crashAfterMs !== undefined) setTimeout(() => process.kill(process.pid, 'SIGSEGV'), request.crashAfterMs);
        },
        message: (text) => post({ t: 'message', id, text }),
        audio: (samples) => queueAudio(id, samples),
        gone: (reason) => post({ t: 'gone', id, reason }),
        pull: () => null,
      },
      {
        iceAddress: request.iceAddress,
        logger,
        // The sim keeps the clock: the frames arrive on time over IPC and go straight out.
        clock: {
          add: (out) => {
            call.push = (frame) => out.push(frame);
            return () => delete call.push;
          },
        },
        ...(request.connectTimeoutMs !== undefined && { connectTimeoutMs: request.connectTimeoutMs }),
        ...(request.disconnectGraceMs !== undefined && { disconnectGraceMs: request.disconnectGraceMs }),
      },
    );
    if (call.closed) return peer.close();
    call.peer = peer;
    post({ t: 'answered', id, sdp: peer.answerSdp });
  } catch (error) {
    calls.delete(id);
    const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'rtc_failed';
    post({ t: 'answer_failed', id, code, message: error instanceof Error ? error.message : String(error) });
  }
}

process.on('message', (message: ToHost) => {
  switch (message.t) {
    case 'frames':
      // A view into the message is not enough for wrtc's onData: each frame gets its own buffer.
      unpack(message, (id, samples) => calls.get(id)?.push?.(compact(samples)));
      flushAudio();
      break;
    case 'send':
      calls.get(message.id)?.peer?.send(message.text);
      break;
    case 'answer':
      void answer(message);
      break;
    case 'close_channel':
      calls.get(message.id)?.peer?.closeChannel();
      break;
    case 'close': {
      const call = calls.get(message.id);
      if (!call) break;
      calls.delete(message.id);
      call.closed = true;
      call.peer?.close();
      break;
    }
    case 'exit':
      exit();
  }
});
// The sim went away (or crashed): nobody will close these calls.
process.on('disconnect', exit);

loadWrtc().then(
  () => post({ t: 'ready' }),
  (error: unknown) => {
    post({ t: 'unavailable', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
