import type { Request, Response } from 'express';

export type HealthCheck = () => Promise<boolean> | boolean;

/**
 * GET /healthz: 200 when every dependency answers, else 503 naming the ones that did not. A failed
 * `soft` check (one every node shares, like Redis) is reported as `degraded` with a 200: taking
 * every node out of the load balancer at once would turn a degraded service into no service.
 */
export function healthHandler(checks: Record<string, HealthCheck>, soft: readonly string[] = []) {
  return async (_req: Request, res: Response) => {
    const results: Record<string, 'ok' | 'fail'> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          results[name] = (await withTimeout(check(), 2000)) ? 'ok' : 'fail';
        } catch {
          results[name] = 'fail';
        }
      }),
    );
    const failed = Object.keys(results).filter((name) => results[name] !== 'ok');
    const status = failed.length === 0 ? 'ok' : failed.every((name) => soft.includes(name)) ? 'degraded' : 'fail';
    res.status(status === 'fail' ? 503 : 200).json({ status, checks: results });
  };
}

function withTimeout<T>(value: Promise<T> | T, ms: number): Promise<T> {
  return Promise.race([Promise.resolve(value), new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
