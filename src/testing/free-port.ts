/**
 * @module testing/free-port
 * Finds a free port on 127.0.0.1 for processes a test spawns. The OS picks the port (bind to
 * 0), so parallel test workers do not collide; the small window between closing our probe and
 * the child binding it is handled by callers retrying a failed start.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 chosen by the OS. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('could not read the port of a probe socket');
  }
  return address.port;
}

/** True when `port` can be bound for UDP on 127.0.0.1. */
async function udpPortIsFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/**
 * A free port on 127.0.0.1 that is free for both TCP and UDP — gossip protocols such as
 * Alertmanager's cluster (memberlist) listen on both with one port number.
 */
export async function freeTcpUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await freeTcpPort();
    if (await udpPortIsFree(port)) return port;
  }
  throw new Error('no port free for both TCP and UDP on 127.0.0.1 after 20 attempts');
}
