import { ConfigError, type Config } from '../config.ts';
import { layoutOf, type RedisNodeRegistry } from '../stores/redis-nodes.ts';

/**
 * A node starting on a Redis its deployment shares: its roles must match the nodes beating there
 * (all of both roles, or all split), else it refuses to start with words an operator can act on.
 * Mixed, a node of both roles would keep its peers' media on itself while signaling-only nodes
 * place the same room on a media-only node, and each side would show "not live" to the other's
 * viewers. Which layout holds lasts while a node of it beats (NODE_TTL_MS after the last one stops).
 */
export async function joinDeployment(
  registry: Pick<RedisNodeRegistry, 'holdLayout'>,
  config: Pick<Config, 'NODE_ROLES' | 'NODE_TTL_MS' | 'REDIS_PREFIX'>,
): Promise<void> {
  const mine = layoutOf(config.NODE_ROLES);
  const held = await registry.holdLayout(config.NODE_TTL_MS);
  if (held === mine) return;
  const where = `the nodes on this Redis (REDIS_PREFIX "${config.REDIS_PREFIX}")`;
  throw new ConfigError([
    mine === 'combined'
      ? `NODE_ROLES: ${where} are split (NODE_ROLES=signaling and NODE_ROLES=media); a node of both roles cannot join them. Start this one with NODE_ROLES=signaling or NODE_ROLES=media, or stop the split nodes first (docs/DEPLOY.md › Split roles).`
      : `NODE_ROLES: ${where} each run both roles; a ${config.NODE_ROLES.join(',')}-only node cannot join them. Leave NODE_ROLES out, or stop those nodes first and start the deployment split (docs/DEPLOY.md › Split roles).`,
  ]);
}
