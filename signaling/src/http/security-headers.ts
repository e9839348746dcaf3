import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Headers every response carries, pages and API alike. The pages' Content-Security-Policy comes
 * from SvelteKit (`csp` of the sveltekit() plugin in web/vite.config.ts, with a nonce per page); these are the rest.
 * HSTS only when the public origin is https: on plain http browsers ignore it, and sending it
 * from a development box would pin localhost to https.
 */
export function securityHeaders(options: { https: boolean }): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (options.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

/** For the JSON/text endpoints Express answers itself (no page, so nothing may load or frame it). */
export const apiCsp: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  next();
};

/**
 * /metrics behind a bearer token when one is configured (production requires it): without the
 * right token, 401 and nothing about the process. Without a token (development) it stays open.
 */
export function metricsGuard(token: string | undefined): RequestHandler {
  const expected = token ? Buffer.from(token) : null;
  return (req, res, next) => {
    if (!expected) return next();
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    res.status(401).type('text/plain').send('unauthorized');
  };
}
