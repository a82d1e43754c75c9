// Free ports on the loopback interface for the servers and simulators tests start.
import { createSocket } from 'node:dgram';

/** A UDP port on 127.0.0.1 that nothing listens on right now. */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
