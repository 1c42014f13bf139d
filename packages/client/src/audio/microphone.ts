import { RtvoiceError } from '../errors.js';

/** Microphone capture settings. The browser's echo cancellation stays on by default: the agent's voice must not trigger its own VAD. */
export interface MicrophoneOptions {
  /** A specific input device (`MediaDeviceInfo.deviceId`). Default: the system default. */
  deviceId?: string;
  /** Default `true`. */
  echoCancellation?: boolean;
  /** Default `true`. */
  noiseSuppression?: boolean;
  /** Default `true`. */
  autoGainControl?: boolean;
}

/** A microphone track and whether rtvoice opened it (and so must stop it). */
export interface Microphone {
  track: MediaStreamTrack;
  /** True when rtvoice called `getUserMedia`; a stream passed in by the app stays the app's. */
  owned: boolean;
}

/**
 * Opens the microphone, or takes the first audio track of a stream the app
 * passed in. `getUserMedia` failures become typed errors.
 */
export async function openMicrophone(options: MicrophoneOptions, provided: MediaStream | undefined): Promise<Microphone> {
  if (provided) {
    const track = provided.getAudioTracks()[0];
    if (!track) throw new RtvoiceError('invalid_options', 'mediaStream has no audio track.');
    return { track, owned: false };
  }
  const constraints: MediaTrackConstraints = {
    echoCancellation: options.echoCancellation ?? true,
    noiseSuppression: options.noiseSuppression ?? true,
    autoGainControl: options.autoGainControl ?? true,
  };
  if (options.deviceId) constraints.deviceId = { exact: options.deviceId };
  if (typeof navigator === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
    throw new RtvoiceError('unsupported_environment', 'No getUserMedia() (needs a secure context).');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: constraints });
  } catch (error) {
    throw micError(error);
  }
  const [track, ...extra] = stream.getAudioTracks();
  for (const t of extra) t.stop();
  if (!track) throw new RtvoiceError('mic_not_found', 'No audio track.');
  return { track, owned: true };
}

/** Maps a `getUserMedia` DOMException to an RtvoiceError, in one place. */
export function micError(error: unknown): RtvoiceError {
  const name = (error as { name?: unknown } | null)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new RtvoiceError('mic_permission_denied', 'Microphone access denied.', { cause: error });
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new RtvoiceError('mic_not_found', 'No matching microphone.', { cause: error });
    case 'NotReadableError':
    case 'AbortError':
      return new RtvoiceError('mic_in_use', 'The microphone is busy or failing.', { cause: error });
    default:
      return new RtvoiceError('mic_failed', 'The microphone failed to open.', { cause: error });
  }
}
