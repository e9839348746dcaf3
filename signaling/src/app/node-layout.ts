import { ConfigError, type Config } from '../config.ts';
import { layoutOf, type RedisNodeRegistry } from '../stores/redis-nodes.ts';

/**
 * A signaling node starting on a Redis its deployment shares: its roles must match the signaling
 * nodes beating there (all of both roles, or all signaling-only), else it refuses to start with
 * words an operator can act on. Mixed, a node of both roles would keep its peers' media on itself
 * while a signaling-only node places the same room on a media-only node, and each side's viewers
 * would find the room "not live". Media-only nodes serve either layout and are not asked. Which
 * layout holds lasts while a node of it beats (NODE_TTL_MS after the last one stops).
 */
export async function joinDeployment(
  registry: Pick<RedisNodeRegistry, 'holdLayout'>,
  config: Pick<Config, 'NODE_ROLES' | 'NODE_TTL_MS' | 'REDIS_PREFIX'>,
): Promise<void> {
  const mine = layoutOf(config.NODE_ROLES);
  const held = await registry.holdLayout(config.NODE_TTL_MS);
  if (held === mine) return;
  const where = `the signaling nodes on this Redis (REDIS_PREFIX "${config.REDIS_PREFIX}")`;
  throw new ConfigError([
    mine === 'combined'
      ? `NODE_ROLES: ${where} are signaling-only (NODE_ROLES=signaling, with media-only nodes); a node of both roles cannot join them. Start this one with NODE_ROLES=signaling (or NODE_ROLES=media to add media), or stop the signaling-only nodes first (docs/DEPLOY.md › Split roles).`
      : `NODE_ROLES: ${where} each run both roles; a signaling-only node cannot join them. Leave NODE_ROLES out (or start a media-only node, NODE_ROLES=media, to add media), or stop those nodes first and start the deployment split (docs/DEPLOY.md › Split roles).`,
  ]);
}
