/**
 * The connection state of a {@link VoiceSession}.
 *
 * - `idle`: created, never connected.
 * - `connecting`: fetching the key, opening the mic, negotiating WebRTC.
 * - `connected`: the data channel is open and the server has sent `session.created`.
 * - `reconnecting`: reserved for automatic reconnection.
 * - `closing`: `disconnect()` is releasing resources.
 * - `closed`: disconnected; `connect()` may be called again.
 * - `failed`: the last attempt or the live session failed; `connect()` may be called again.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed' | 'failed';

/** The legal moves between states. Anything else is a bug and is refused. */
const NEXT: Record<ConnectionState, string> = {
  idle: 'connecting',
  connecting: 'connected failed closing',
  connected: 'reconnecting closing failed',
  reconnecting: 'connected failed closing',
  closing: 'closed',
  failed: 'connecting closing',
  closed: 'connecting',
};

/** True when `from → to` is a legal transition. */
export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return NEXT[from].split(' ').includes(to);
}
