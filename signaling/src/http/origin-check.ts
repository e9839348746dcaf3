import type { IncomingMessage } from 'node:http';

/**
 * Which browser origins may open a socket (the handshake carries the session cookie, so a page
 * on another site must not ride on it). `allowed` is ORIGIN plus ALLOWED_ORIGINS; `sameHost` (no
 * ORIGIN: development only, production requires it) also lets a page connect to the host that
 * served it.
 *
 * No Origin header is let through: browsers always send one on WebSocket handshakes and on
 * cross-origin requests (only same-origin polling GETs go without), so a request without one is
 * from a non-browser client, which carries no victim's cookies unless it already has them.
 */
export function originAllowed(req: Pick<IncomingMessage, 'headers'>, rule: { allowed: readonly string[]; sameHost: boolean }): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (rule.allowed.includes(origin)) return true;
  const host = req.headers.host;
  return rule.sameHost && Boolean(host) && (origin === `http://${host}` || origin === `https://${host}`);
}
