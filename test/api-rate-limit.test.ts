import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from './helpers.ts';
import { fixtures } from './fixtures.ts';
import { scratchRedis } from './scratch-redis.ts';

const LIMIT = 6;

/**
 * The read API's limit per token holds across nodes: two app instances against one Redis (as two
 * nodes behind a balancer) share one allowance. Two instances without Redis, beside them, each
 * count their own: the same spread of requests gets twice as far, which is what the shared count
 * prevents.
 */
describe('read API rate limit across nodes', () => {
  let redis: Awaited<ReturnType<typeof scratchRedis>>;
  const apps: Array<Awaited<ReturnType<typeof startPlatform>>> = [];

  beforeAll(async () => {
    redis = await scratchRedis('api-rate');
    const env = { WEBHOOK_POLL_MS: '0', CLOCK_INTERVAL_MS: '0', API_REQUESTS_PER_MINUTE: String(LIMIT) };
    for (const shared of [true, true, false, false]) {
      apps.push(await startPlatform(shared ? { redis: true, env: { ...env, REDIS_PREFIX: redis.prefix } } : { env }));
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.platform.close();
    await redis?.close();
  });

  async function tokenOn(app: (typeof apps)[number]) {
    const { booths } = await fixtures(app.db).liveFair({ employers: ['Limited'] });
    const owner = { kind: 'employer' as const, employerId: booths.Limited.employerId };
    return (await app.platform.services.apiTokens.create(booths.Limited.owner, owner, { name: 'ATS', scopes: ['fairs:read'] })).token;
  }

  /** One request to each node in turn until a node refuses; the statuses and the refusal. */
  async function spread(nodes: Array<(typeof apps)[number]>, token: string, requests: number) {
    const statuses: number[] = [];
    let refused: { body: unknown; retryAfter: string | null } | null = null;
    for (let i = 0; i < requests; i++) {
      const res = await fetch(`${nodes[i % nodes.length]!.url}/api/v1/fairs`, { headers: { authorization: `Bearer ${token}` } });
      statuses.push(res.status);
      const body: unknown = await res.json();
      if (res.status === 429 && !refused) refused = { body, retryAfter: res.headers.get('retry-after') };
    }
    return { statuses, refused };
  }

  it('two nodes on one Redis share one allowance per token: the request after it is refused on either node, with a code and Retry-After', async () => {
    const [a, b] = apps;
    const token = await tokenOn(a!);
    const { statuses, refused } = await spread([a!, b!], token, LIMIT + 2);
    // Three on each node were all the token had; the next on each node is refused.
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
    expect(refused!.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringContaining(String(LIMIT)) } });
    const retryAfter = Number(refused!.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The count is in Redis, under the platform's prefix.
    const keys: string[] = [];
    for await (const batch of redis.client.scanIterator({ MATCH: `${redis.prefix}:rl:api*` })) keys.push(...batch);
    expect(keys).toHaveLength(1);
  });

  it('without Redis each node counts alone (the same spread goes twice as far)', async () => {
    const [, , c, d] = apps;
    const token = await tokenOn(c!);
    const { statuses } = await spread([c!, d!], token, 2 * LIMIT + 2);
    expect(statuses).toEqual([...Array<number>(2 * LIMIT).fill(200), 429, 429]);
  });
});
