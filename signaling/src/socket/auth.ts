import { parse as parseCookies } from 'cookie';
import { userForSession, type Db } from '@fairground/db';
import { SESSION_COOKIE } from '../protocol/index.ts';
import type { AppSocket } from './handle.ts';

const deviceIdPattern = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * Socket.IO middleware: the same session cookie as the web pages identifies the user. Anonymous
 * viewers are identified by the device id their browser keeps, so two tabs count as one viewer.
 */
export function authenticate(db: Db) {
  return async (socket: AppSocket, next: (err?: Error) => void) => {
    try {
      const token = parseCookies(socket.handshake.headers.cookie ?? '')[SESSION_COOKIE];
      const user = token ? await userForSession(db, token) : null;
      const deviceId = (socket.handshake.auth as { deviceId?: unknown } | undefined)?.deviceId;
      socket.data.user = user ? { id: user.id, name: user.name, role: user.role } : null;
      socket.data.identity = user
        ? `user:${user.id}`
        : typeof deviceId === 'string' && deviceIdPattern.test(deviceId)
          ? `device:${deviceId}`
          : `connection:${socket.id}`;
      next();
    } catch {
      next(new Error('INTERNAL'));
    }
  };
}
