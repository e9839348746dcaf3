import { Router, type Request, type Response, type NextFunction } from 'express';
import type { RedisClientType } from 'redis';
import { apiSchemas, candidatesCsv, candidatesJsonResume, CSV_CONTENT_TYPE, HTTP_STATUS, ServiceError, type Services, type TokenGrant } from '@fairground/core';
import type { Logger } from 'pino';
import { apiCsp } from './security-headers.ts';
import { openApiDocument } from './api-openapi.ts';
import { createWindowLimiter } from '../app/rate-limits.ts';

const { API_LISTS, apiReport, listQuery } = apiSchemas;

type ErrorCode = 'UNAUTHENTICATED' | 'INSUFFICIENT_SCOPE' | 'NOT_AUTHORIZED' | 'NOT_FOUND' | 'INVALID' | 'RATE_LIMITED' | 'INTERNAL';

function fail(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * The read API (`/api/v1`): bearer tokens (core/src/api-tokens.ts), a rate limit per token (shared
 * by every node through Redis when there is one: app/rate-limits.ts),
 * errors as `{ error: { code, message } }`, every answer parsed through the zod schema its
 * OpenAPI document (`/api/v1/openapi.json`) is generated from. What a token may read is core's
 * decision (core/src/read-api.ts).
 */
export function apiRouter(options: {
  services: Pick<Services, 'apiTokens' | 'readApi' | 'candidateExports'>;
  requestsPerMinute: number;
  redis: RedisClientType | null;
  redisPrefix: string;
  log: Logger;
}): Router {
  const { services, log } = options;
  const router = Router();
  const document = openApiDocument();
  const limiter = createWindowLimiter('api', { points: options.requestsPerMinute, seconds: 60 }, options.redis, options.redisPrefix);
  router.use(apiCsp);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });

  const grants = new WeakMap<Request, TokenGrant>();
  router.use(async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer (\S+)$/i.exec(header);
    const grant = match ? await services.apiTokens.authenticate(match[1]!) : null;
    if (!grant) return fail(res, 401, 'UNAUTHENTICATED', 'A valid API token is required (Authorization: Bearer …)');
    let allowed;
    try {
      allowed = await limiter.take(grant.tokenId);
    } catch (error) {
      return next(error);
    }
    if (!allowed.ok) {
      res.set('Retry-After', String(Math.max(1, Math.ceil(allowed.retryAfterMs / 1000))));
      return fail(res, 429, 'RATE_LIMITED', `Too many requests with this token: at most ${options.requestsPerMinute} a minute`);
    }
    grants.set(req, grant);
    next();
  });

  const handle = (answer: (grant: TokenGrant, req: Request) => Promise<unknown>) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.json(await answer(grants.get(req)!, req));
    } catch (error) {
      next(error);
    }
  };
  const query = (req: Request) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) throw new ServiceError('INVALID', 'Bad query', { query: 'invalid' });
    return parsed.data;
  };

  router.get(
    '/fairs',
    handle(async (g, req) => API_LISTS['/fairs'].schema.parse(await services.readApi.fairs(g, query(req)))),
  );
  router.get(
    '/booths',
    handle(async (g, req) => API_LISTS['/booths'].schema.parse(await services.readApi.booths(g, query(req)))),
  );
  router.get(
    '/jobs',
    handle(async (g, req) => API_LISTS['/jobs'].schema.parse(await services.readApi.jobs(g, query(req)))),
  );
  router.get(
    '/candidates',
    handle(async (g, req) => API_LISTS['/candidates'].schema.parse(await services.readApi.candidates(g, query(req)))),
  );
  router.get(
    '/interviews',
    handle(async (g, req) => API_LISTS['/interviews'].schema.parse(await services.readApi.interviews(g, query(req)))),
  );
  router.get(
    '/report',
    handle(async (g) => apiReport.parse(await services.readApi.report(g))),
  );
  // Candidate exports (core/src/candidate-export.ts): the same people as /candidates, as a file.
  const exportScope = (req: Request) => {
    const text = (name: string) => (typeof req.query[name] === 'string' ? req.query[name] : undefined);
    return { fairId: text('fairId'), boothId: text('boothId'), from: text('from'), to: text('to'), outcome: text('outcome') };
  };
  router.get('/exports/candidates.csv', async (req, res, next) => {
    try {
      const rows = await services.candidateExports.forToken(grants.get(req)!, exportScope(req));
      res.set('content-type', CSV_CONTENT_TYPE).set('content-disposition', 'attachment; filename="candidates.csv"').send(candidatesCsv(rows));
    } catch (error) {
      next(error);
    }
  });
  router.get('/exports/candidates.json', async (req, res, next) => {
    try {
      const rows = await services.candidateExports.forToken(grants.get(req)!, exportScope(req));
      res.set('content-disposition', 'attachment; filename="candidates.json"').json(candidatesJsonResume(rows, `${req.protocol}://${req.get('host')}`));
    } catch (error) {
      next(error);
    }
  });
  router.use((_req, res) => fail(res, 404, 'NOT_FOUND', 'No such endpoint'));

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof ServiceError) {
      const code: ErrorCode =
        error.code === 'NOT_AUTHORIZED' && error.fields.scope
          ? 'INSUFFICIENT_SCOPE'
          : ((['UNAUTHENTICATED', 'NOT_AUTHORIZED', 'NOT_FOUND', 'INVALID', 'RATE_LIMITED'] as const).find((c) => c === error.code) ?? 'INVALID');
      return fail(res, HTTP_STATUS[error.code], code, error.message);
    }
    log.error({ err: error }, 'api request failed');
    fail(res, 500, 'INTERNAL', 'Something went wrong');
  });
  return router;
}
