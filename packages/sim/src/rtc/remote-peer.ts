/**
 * One call's WebRTC peer, run in an rtc host process (see `rtc-host.ts`): the same surface as
 * {@link SimPeer}, with the native stack out of the sim's process. The sim keeps the session,
 * the audio clock and everything else; a crash of the host ends its calls only, as a network
 * loss would (`gone('rtc_host_crashed')`).
 */
import { SimError } from '../errors.js';
import type { FromHost, HostAnswerRequest } from './host-protocol.js';
import type { Host, HostPool } from './host-pool.js';
import type { PeerHandlers, PeerOptions } from './peer.js';

/** What a call needs from its peer, wherever the peer runs. */
export interface CallPeer {
  /** The SDP answer (filtered to the loopback candidate). */
  readonly answerSdp: string;
  /** Sends a text frame on `oai-events` (dropped when the channel is not open). */
  send(text: string): void;
  /** Closes the data channel only (fault injection). */
  closeChannel(): void;
  /** Releases everything. Idempotent. */
  close(): void;
}

/** {@link PeerOptions} for a peer in a host. */
export interface RemotePeerOptions extends PeerOptions {
  pool: HostPool;
  /** `rtc=crash_after:<ms>`: the host crashes this long after the data channel opened. */
  crashAfterMs?: number;
}

/** A {@link CallPeer} whose native WebRTC stack runs in a host process. */
export class RemotePeer implements CallPeer {
  readonly #host: Host;
  readonly #pool: HostPool;
  #id = 0;
  #stopClock: () => void = () => undefined;
  #closed = false;
  answerSdp = '';

  private constructor(host: Host, pool: HostPool) {
    this.#host = host;
    this.#pool = pool;
  }

  /**
   * Answers a browser offer in a host with room.
   *
   * @throws SimError `invalid_offer` when the offer is not usable, `rtc_failed` when the host
   *   could not answer or died while answering, `rtc_unavailable` when no host could start.
   */
  static async answer(offerSdp: string, handlers: PeerHandlers, options: RemotePeerOptions): Promise<RemotePeer> {
    const { host, id } = await options.pool.take();
    const peer = new RemotePeer(host, options.pool);
    return new Promise<RemotePeer>((resolve, reject) => {
      let answered = false;
      host.routes.set(id, {
        message: (message: FromHost) => {
          if (peer.#closed) return;
          switch (message.t) {
            case 'answered':
              answered = true;
              peer.answerSdp = message.sdp;
              resolve(peer);
              break;
            case 'answer_failed':
              peer.close();
              reject(new SimError(message.code === 'invalid_offer' ? 'invalid_offer' : 'rtc_failed', message.message));
              break;
            case 'open':
              handlers.open();
              break;
            case 'message':
              handlers.message(message.text);
              break;
            case 'gone':
              handlers.gone(message.reason);
              break;
          }
        },
        audio: (samples) => {
          if (!peer.#closed) handlers.audio(samples);
        },
        died: (code, signal) => {
          if (peer.#closed) return;
          peer.#closed = true;
          peer.#stopClock();
          if (answered) handlers.gone('rtc_host_crashed');
          else reject(new SimError('rtc_failed', `The WebRTC host died while answering (${signal ?? `code ${code}`}).`));
        },
      });
      peer.#id = id;
      if (host.exited) {
        peer.#closed = true;
        reject(new SimError('rtc_failed', 'The WebRTC host died before the call could start.'));
        return;
      }
      peer.#stopClock = options.clock.add({
        pull: handlers.pull,
        push: (frame) => host.pushFrame(id, frame),
      });
      const request: HostAnswerRequest = {
        t: 'answer',
        id,
        offerSdp,
        iceAddress: options.iceAddress,
        ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
        ...(options.disconnectGraceMs !== undefined && { disconnectGraceMs: options.disconnectGraceMs }),
        ...(options.crashAfterMs !== undefined && { crashAfterMs: options.crashAfterMs }),
      };
      host.post(request);
    });
  }

  send(text: string): void {
    if (!this.#closed) this.#host.post({ t: 'send', id: this.#id, text });
  }

  closeChannel(): void {
    if (!this.#closed) this.#host.post({ t: 'close_channel', id: this.#id });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopClock();
    this.#host.routes.delete(this.#id);
    this.#host.post({ t: 'close', id: this.#id });
    this.#pool.release(this.#host);
  }
}
