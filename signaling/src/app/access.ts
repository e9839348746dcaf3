import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { SESSION_COOKIE_NAME } from '@fairground/db';
import type { AccessEvents } from '@fairground/core';
import type { AppServer } from './types.ts';
import { userRoom } from './rooms.ts';

/**
 * The session's own token: the cookie carries `<token>.<signature>` (URL-encoded); callers of
 * `AccessEvents.changed()` may pass either form, so both reduce to the part before the dot.
 */
function bareToken(value: string): string {
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // not encoded
  }
  return decoded.split('.')[0] ?? decoded;
}

/** The room of every socket opened with one session; named by a hash, so no token sits in memory maps or logs. */
export const sessionRoom = (token: string) => `session:${createHash('sha256').update(bareToken(token)).digest('base64url')}`;

/** The session token in a Cookie header (`fg.session_token`, or `__Secure-fg.session_token` on https). */
export function sessionTokenOf(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === SESSION_COOKIE_NAME || name === `__Secure-${SESSION_COOKIE_NAME}`) {
      const value = part.slice(eq + 1).trim();
      return value ? bareToken(value) : null;
    }
  }
  return null;
}

/**
 * Ends the sockets whose rights just changed, on every node (through the adapter: Redis with
 * several nodes). A plain sign-out ends the sockets of that session only; every other change
 * (sign-out everywhere, password reset, team removal, role change, deleted account) ends all of
 * the user's sockets. A client that reconnects is authenticated afresh, with its current rights.
 */
export function dropSocketsOnAccessChange(io: AppServer, access: AccessEvents, log: Logger): () => void {
  return access.on((change) => {
    const room = change.reason === 'sign-out' && change.sessionToken ? sessionRoom(change.sessionToken) : userRoom(change.userId);
    io.in(room).disconnectSockets(true);
    log.info({ userId: change.userId, reason: change.reason, employerId: change.employerId }, 'rights changed: sockets ended');
  });
}
