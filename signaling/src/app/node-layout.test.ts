import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { redisForTest } from '../stores/redis-for-test.ts';
import { layoutOf, RedisNodeRegistry } from '../stores/redis-nodes.ts';
import { joinDeployment } from './node-layout.ts';

/** The deployment's layout on the test run's Redis: held by the first signaling node, renewed by beats, refused to the other kind. */
describe('joining a deployment', () => {
  const redis = redisForTest('node-layout');
  const BOTH = ['signaling', 'media'];
  const SIGNALING = ['signaling'];
  const config = (roles: string[], prefix: string) => ({ NODE_ROLES: roles, NODE_TTL_MS: 300, REDIS_PREFIX: prefix }) as Parameters<typeof joinDeployment>[1];

  it('lets nodes of the layout in force join, refuses the other kind with what to do, and frees the layout once its nodes stop beating', async () => {
    const prefix = `${redis.prefix}:a`;
    const registry = (roles: string[]) => new RedisNodeRegistry(redis.client, `${prefix}:nodes`, layoutOf(roles));
    const first = registry(BOTH);
    await joinDeployment(first, config(BOTH, prefix));
    await joinDeployment(registry(BOTH), config(BOTH, prefix));

    const refusal = await joinDeployment(registry(SIGNALING), config(SIGNALING, prefix)).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).problems[0]).toContain('each run both roles; a signaling-only node cannot join them. Leave NODE_ROLES out');

    // The first node's beats keep the layout past its first hold.
    for (let i = 0; i < 4; i++) {
      await first.beat('a1', 300);
      await new Promise((r) => setTimeout(r, 150));
    }
    await expect(joinDeployment(registry(SIGNALING), config(SIGNALING, prefix))).rejects.toThrow(ConfigError);

    // Nobody beats any more: once the TTL passed, a split deployment may start here, and holds it.
    await new Promise((r) => setTimeout(r, 400));
    await joinDeployment(registry(SIGNALING), config(SIGNALING, prefix));
    await expect(joinDeployment(registry(BOTH), config(BOTH, prefix))).rejects.toThrow(
      'are signaling-only (NODE_ROLES=signaling, with media-only nodes); a node of both roles cannot join them',
    );
  });

  it('a beat without a layout (a media-only node’s) holds none', async () => {
    const prefix = `${redis.prefix}:b`;
    await new RedisNodeRegistry(redis.client, `${prefix}:nodes`).beat('media', 300);
    expect(await redis.client.get(`${prefix}:nodes:layout`)).toBeNull();
    await joinDeployment(new RedisNodeRegistry(redis.client, `${prefix}:nodes`, 'split'), config(SIGNALING, prefix));
    expect(await redis.client.get(`${prefix}:nodes:layout`)).toBe('split');
  });
});
