import { createHmac } from 'node:crypto';

/** One ICE server as the browser's RTCPeerConnection (and mediasoup-client) takes it. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface TurnSettings {
  /** turn:, turns: or stun: URLs of one TURN deployment (coturn with `use-auth-secret`). */
  urls: readonly string[];
  /** coturn's `static-auth-secret`: never sent to clients, only what it signs. */
  secret: string;
  /** How long a credential works for new allocations. */
  ttlSeconds: number;
}

/**
 * Time-limited TURN credentials by the TURN REST API scheme (draft-uberti-behave-turn-rest, what
 * coturn's `use-auth-secret` checks): the username is `<expiry unix seconds>:<who>` and the
 * password is base64(HMAC-SHA1(secret, username)). The TURN server needs no database and no call
 * back: it recomputes the HMAC and refuses an expired username. A leaked credential works until its
 * expiry only, and names whom it was given to (the relay's logs show the username).
 */
export function mintTurnCredential(secret: string, who: string, expiresAt: number): { username: string; credential: string } {
  // `:` separates the expiry; the rest is free text to coturn, but keep it to safe characters.
  const name = who.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64) || 'anon';
  const username = `${Math.floor(expiresAt)}:${name}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/** The ICE servers to hand one client now (empty without TURN settings). */
export function iceServersFor(turn: TurnSettings | null, who: string | null, nowMs = Date.now()): IceServer[] {
  if (!turn || turn.urls.length === 0) return [];
  const expiresAt = Math.floor(nowMs / 1000) + turn.ttlSeconds;
  return [{ urls: [...turn.urls], ...mintTurnCredential(turn.secret, who ?? 'anon', expiresAt) }];
}
