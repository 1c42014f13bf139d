import { createSocket } from 'node:dgram';

/**
 * Points every ICE candidate of an SDP answer at a UDP socket on loopback
 * that reads and drops every datagram: the browser's connectivity checks go
 * out and nothing comes back, as on a network that blocks UDP. Resolves with
 * the rewritten SDP and the function that closes the socket.
 */
export async function blackholeCandidates(sdp: string): Promise<{ sdp: string; close: () => void }> {
  const socket = createSocket('udp4');
  socket.on('message', () => undefined);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ …
  const rewritten = sdp.replace(/^(a=candidate:\S+ \d+ \S+ \d+ )(\S+) (\d+)/gm, (_m, head: string) => `${head}127.0.0.1 ${port}`);
  let closed = false;
  return {
    sdp: rewritten,
    close: () => {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
