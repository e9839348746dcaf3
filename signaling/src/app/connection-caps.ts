import type { Logger } from 'pino';
import type { PresenceStore } from '@fairground/core';
import { clientAddress, type AddressSettings } from '../http/client-address.ts';
import { ErrorCode } from '../protocol/index.ts';
import type { AppSocket } from './types.ts';

/**
 * Presence rooms counting open connections over every node (Redis when REDIS_URL is set): one room
 * per identity and per address whose members are connection ids, so `add` answers with the count
 * in the same round trip.
 */
export const socketsOfIdentity = (identity: string) => `sockets:identity:${identity}`;
export const socketsOfAddress = (address: string) => `sockets:address:${address}`;

export interface ConnectionCapOptions {
  presence: PresenceStore;
  /** Open connections one user or anonymous device may have (tabs and devices). */
  perIdentity: number;
  /** Open connections from one client address. */
  perAddress: number;
  address: AddressSettings;
  /** With Redis: the node's ownership of its sockets' presence (stores/redis-presence.ts). */
  owner?: { own(socketId: string): void; disown(socketId: string): Promise<unknown> } | null;
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
    const byIdentity = socketsOfIdentity(identity);
    const byAddress = socketsOfAddress(clientAddress(socket.handshake.headers, socket.conn.remoteAddress, options.address));
    const release = () =>
      Promise.all([presence.remove(byIdentity, socket.id, socket.id), presence.remove(byAddress, socket.id, socket.id)]).catch((err: unknown) =>
        log.warn({ err }, 'releasing a connection count failed'),
      );
    // From its first presence entry on, the socket is this node's: a survivor sweeps it should the node die.
    options.owner?.own(socket.id);
    const refuse = async (error: Error) => {
      await release();
      await options.owner?.disown(socket.id).catch(() => {});
      next(error);
    };
    try {
      // Counted first, checked after: two handshakes racing each see the other.
      const [mine, fromAddress] = await Promise.all([presence.add(byIdentity, socket.id, socket.id), presence.add(byAddress, socket.id, socket.id)]);
      if (mine > options.perIdentity || fromAddress > options.perAddress) {
        log.info({ identity, over: mine > options.perIdentity ? 'identity' : 'address' }, 'connection refused: too many open');
        const error = new Error(ErrorCode.TOO_MANY_CONNECTIONS) as Error & { data?: unknown };
        error.data = {
          code: ErrorCode.TOO_MANY_CONNECTIONS,
          message: 'Too many open connections (tabs or devices); close one and try again',
        };
        return refuse(error);
      }
      // Given back when the socket closes (a refused socket never connects, so it has no such event).
      socket.once('disconnect', () => void release());
      next();
    } catch (err) {
      // Redis unreachable for a moment: the client retries (its connections already open go on).
      log.warn({ err: String(err) }, 'counting a connection failed');
      const error = new Error(ErrorCode.UNAVAILABLE) as Error & { data?: unknown };
      error.data = { code: ErrorCode.UNAVAILABLE, message: 'Briefly unavailable; try again in a moment' };
      await refuse(error);
    }
  };
}
