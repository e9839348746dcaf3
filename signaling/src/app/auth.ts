import { isDatabaseUnavailable, type Auth } from '@fairground/db';
import { DISPLAY_COOKIE_NAME, type DisplayKeyService } from '@fairground/core';
import { ErrorCode } from '../protocol/index.ts';
import type { AppSocket } from './types.ts';
import { sessionRoom, sessionTokenOf } from './access.ts';

const deviceIdPattern = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * Socket.IO middleware: the same session cookie as the web pages identifies the user. Anonymous
 * viewers are identified by the device id their browser keeps, so two tabs count as one viewer.
 */
export function authenticate(auth: Auth, displays?: Pick<DisplayKeyService, 'session'>) {
  return async (socket: AppSocket, next: (err?: Error) => void) => {
    try {
      const cookie = socket.handshake.headers.cookie;
      const user = cookie ? await auth.userFor(new Headers({ cookie })) : null;
      const deviceId = (socket.handshake.auth as { deviceId?: unknown } | undefined)?.deviceId;
      // emailVerified goes with it: core keeps an unverified walk-in out of online lines and video rooms.
      socket.data.user = user ? { id: user.id, email: user.email, name: user.name, role: user.role, emailVerified: user.emailVerified ?? false } : null;
      const token = user ? sessionTokenOf(cookie) : null;
      socket.data.sessionRoom = token ? sessionRoom(token) : null;
      // A hall or booth screen: its display session opens that one screen (core/src/display-keys.ts).
      const grant = displays ? await displays.session(cookieValue(cookie, DISPLAY_COOKIE_NAME)) : null;
      socket.data.display = grant ? { keyId: grant.keyId, kind: grant.kind, fairId: grant.fairId, boothId: grant.boothId } : null;
      socket.data.identity = user
        ? `user:${user.id}`
        : typeof deviceId === 'string' && deviceIdPattern.test(deviceId)
          ? `device:${deviceId}`
          : `connection:${socket.id}`;
      next();
    } catch (err) {
      // The database away for a moment: a code the client retries by itself (protocol/reconnect.ts).
      if (isDatabaseUnavailable(err)) {
        const error = new Error(ErrorCode.UNAVAILABLE) as Error & { data?: unknown };
        error.data = { code: ErrorCode.UNAVAILABLE, message: 'Briefly unavailable; try again in a moment' };
        return next(error);
      }
      next(new Error('INTERNAL'));
    }
  };
}

/** One cookie's value in a Cookie header, or null. */
export function cookieValue(cookieHeader: string | undefined, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}
