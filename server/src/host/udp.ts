/**
 * DM Notifications over UDP as connectionless WAP Push (DM 2.0 E.1): sending a datagram to a
 * device's address, and a device listening for them.
 */
import * as dgram from 'node:dgram';

export function sendDatagram(bytes: Uint8Array, host: string, port: number): Promise<void> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.send(bytes, port, host, (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

export interface UdpListener {
  port: number;
  close(): Promise<void>;
}

/** Listens on a port (0: any free one); datagrams larger than a notification can be are dropped unread. */
export function listenUdp(port: number, host: string, onMessage: (bytes: Uint8Array, from: string) => void): Promise<UdpListener> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (msg, rinfo) => {
    if (msg.length > 8192) return;
    onMessage(new Uint8Array(msg), `${rinfo.address}:${rinfo.port}`);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({ port: socket.address().port, close: () => new Promise<void>((done) => socket.close(() => done())) });
    });
  });
}
