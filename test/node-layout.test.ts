import { afterAll, describe, expect, inject, it } from 'vitest';
import { startNode, startRefusedNode, stopNodes, testNodeEnv, type NodeProcess } from './node-process.ts';

/**
 * A deployment's signaling nodes are all of both roles or all signaling-only (docs/ARCHITECTURE.md
 * › Split roles), and one that would mix them refuses to start, on real processes sharing one
 * Redis: with a node of both roles running, a signaling-only node exits 1 saying what to do, while
 * a media-only node (an edge beside it) and a second node of both roles join; once those stop and
 * their beats expire, a signaling-only node starts, and then a node of both roles is refused.
 */
describe('nodes of both roles and signaling-only nodes do not mix', () => {
  const nodes: NodeProcess[] = [];
  afterAll(() => stopNodes(nodes));

  it('refuses the node that would mix them, with words, until the other kind has stopped', { timeout: 240_000 }, async () => {
    const env = { ...testNodeEnv(`${inject('redisPrefix')}layout`, 'l'.repeat(32)), NODE_HEARTBEAT_MS: '250', NODE_TTL_MS: '1500' };
    nodes.push(await startNode({ ...env, NODE_ID: 'both1' }));

    const [signaling, media, second] = await Promise.all([
      startRefusedNode({ ...env, NODE_ID: 'sig1', NODE_ROLES: 'signaling' }),
      startNode({ ...env, NODE_ID: 'media1', NODE_ROLES: 'media' }),
      startNode({ ...env, NODE_ID: 'both2' }),
    ]);
    nodes.push(media, second);
    expect(signaling.code).toBe(1);
    expect(signaling.stderr).toContain('each run both roles; a signaling-only node cannot join them. Leave NODE_ROLES out');
    expect(signaling.stderr).not.toMatch(/\bat .*\.ts:\d+/);

    // All stopped; the layout lasts one TTL after the last beat, then a split deployment may start.
    await stopNodes(nodes.splice(0));
    await new Promise((r) => setTimeout(r, 1800));
    nodes.push(await startNode({ ...env, NODE_ID: 'sig2', NODE_ROLES: 'signaling' }));
    const refused = await startRefusedNode({ ...env, NODE_ID: 'both3' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('are signaling-only (NODE_ROLES=signaling, with media-only nodes); a node of both roles cannot join them');
  });
});
