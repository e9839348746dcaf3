/**
 * Whether an error means the database cannot be reached right now (down, restarting, refusing
 * connections), as opposed to a bad query or a broken rule. Callers answer those with a clear,
 * retryable "unavailable" instead of an internal error; this is the one place that knows the
 * driver's and the server's codes for it.
 */
const DRIVER_CODES = new Set([
  // postgres.js's own, and the socket errors it passes on
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/** SQLSTATEs for a server that is going away or not taking connections. */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

export function isDatabaseUnavailable(error: unknown): boolean {
  // drizzle wraps the driver's error as `cause` of a DrizzleQueryError; walk the chain.
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    // Class 08: connection exceptions.
    if (DRIVER_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}
