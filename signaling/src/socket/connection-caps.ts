import type { Logger } from 'pino';
import type { PresenceStore } from '../domain/presence-store.ts';
import { clientAddress, type AddressSettings } from '../http/client-address.ts';
import { ErrorCode } from '../protocol/index.ts';
import type { AppSocket } from './handle.ts';

/** Presence rooms counting open connections, over every node (Redis when REDIS_URL is set). */
export const SOCKETS_BY_IDENTITY = 'sockets:identity';
export const SOCKETS_BY_ADDRESS = 'sockets:address';

export interface ConnectionCapOptions {
  presence: PresenceStore;
  /** Open connections one user or anonymous device may have (tabs and devices). */
  perIdentity: number;
  /** Open connections from one client address. */
  perAddress: number;
  address: AddressSettings;
  log: Logger;
}

/**
 * Socket.IO middleware, after `authenticate`: one identity or one address cannot hold more than
 * its share of connections (each costs memory, presence entries and possibly media). The connection
 * is counted first and refused if that made it one too many, so two handshakes racing on two nodes
 * cannot both slip under the cap; the count is given back when the socket goes, however it goes.
 */
export function capConnections(options: ConnectionCapOptions) {
  const { presence, log } = options;
  return async (socket: AppSocket, next: (err?: Error) => void) => {
    const identity = socket.data.identity;
    const address = `address:${clientAddress(socket.handshake.headers, socket.conn.remoteAddress, options.address)}`;
    const release = () =>
      Promise.all([
        presence.remove(SOCKETS_BY_IDENTITY, identity, socket.id),
        presence.remove(SOCKETS_BY_ADDRESS, address, socket.id),
      ]).catch((err: unknown) => log.warn({ err }, 'releasing a connection count failed'));
    try {
      await Promise.all([presence.add(SOCKETS_BY_IDENTITY, identity, socket.id), presence.add(SOCKETS_BY_ADDRESS, address, socket.id)]);
      // Counted: give it back when the socket closes (a refused socket never connects, so no event).
      const [mine, fromAddress] = await Promise.all([
        presence.connections(SOCKETS_BY_IDENTITY, identity),
        presence.connections(SOCKETS_BY_ADDRESS, address),
      ]);
      if (mine > options.perIdentity || fromAddress > options.perAddress) {
        await release();
        log.info({ identity, over: mine > options.perIdentity ? 'identity' : 'address' }, 'connection refused: too many open');
        const error = new Error(ErrorCode.TOO_MANY_CONNECTIONS) as Error & { data?: unknown };
        error.data = {
          code: ErrorCode.TOO_MANY_CONNECTIONS,
          message: 'Too many open connections (tabs or devices); close one and try again',
        };
        return next(error);
      }
      socket.once('disconnect', () => void release());
      next();
    } catch (err) {
      await release();
      log.warn({ err }, 'counting a connection failed');
      next(new Error(ErrorCode.INTERNAL));
    }
  };
}
