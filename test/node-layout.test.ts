import { afterAll, describe, expect, inject, it } from 'vitest';
import { startNode, startRefusedNode, stopNodes, testNodeEnv, type NodeProcess } from './node-process.ts';

/**
 * A deployment's nodes are all of both roles or all split (docs/ARCHITECTURE.md › Split roles),
 * and a node that would mix them refuses to start, on real processes sharing one Redis: with a
 * node of both roles running, a media-only and a signaling-only node exit 1 saying what to do,
 * while a second node of both roles joins; once those stop and their beats expire, the split
 * nodes start, and then a node of both roles is the one refused.
 */
describe('nodes of both roles and split nodes do not mix', () => {
  const nodes: NodeProcess[] = [];
  afterAll(() => stopNodes(nodes));

  it('refuses the node that would mix them, with words, until the other kind has stopped', { timeout: 240_000 }, async () => {
    const env = { ...testNodeEnv(`${inject('redisPrefix')}layout`, 'l'.repeat(32)), NODE_HEARTBEAT_MS: '250', NODE_TTL_MS: '1500' };
    const combined = await startNode({ ...env, NODE_ID: 'both1' });
    nodes.push(combined);

    const [media, signaling, second] = await Promise.all([
      startRefusedNode({ ...env, NODE_ID: 'media1', NODE_ROLES: 'media' }),
      startRefusedNode({ ...env, NODE_ID: 'sig1', NODE_ROLES: 'signaling' }),
      startNode({ ...env, NODE_ID: 'both2' }),
    ]);
    nodes.push(second);
    expect(media.code).toBe(1);
    expect(media.stderr).toContain('each run both roles; a media-only node cannot join them. Leave NODE_ROLES out');
    expect(signaling.code).toBe(1);
    expect(signaling.stderr).toContain('a signaling-only node cannot join them');
    expect(signaling.stderr).not.toMatch(/\bat .*\.ts:\d+/);

    // Both stopped; their layout lasts one TTL after the last beat, then the split nodes may start.
    await stopNodes(nodes.splice(0));
    await new Promise((r) => setTimeout(r, 1800));
    nodes.push(await startNode({ ...env, NODE_ID: 'media2', NODE_ROLES: 'media' }));
    const refused = await startRefusedNode({ ...env, NODE_ID: 'both3' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('are split (NODE_ROLES=signaling and NODE_ROLES=media); a node of both roles cannot join them');
  });
});
