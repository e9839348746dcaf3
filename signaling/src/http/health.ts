import type { Request, Response } from 'express';

export type HealthCheck = () => Promise<boolean> | boolean;

/** GET /healthz: 200 when every dependency answers, else 503 naming the ones that did not. */
export function healthHandler(checks: Record<string, HealthCheck>) {
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
    const healthy = Object.values(results).every((r) => r === 'ok');
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'fail', checks: results });
  };
}

function withTimeout<T>(value: Promise<T> | T, ms: number): Promise<T> {
  return Promise.race([Promise.resolve(value), new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
