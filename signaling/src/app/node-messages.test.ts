import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import pino from 'pino';
import { MediaError } from '@fairground/media-server';
import { NodeMessages, type NodeMessage } from './node-messages.ts';

/** Requests between two nodes over the test run's Redis: answers, refusals with their code, and a missing node failing at once. */
describe('node messages', () => {
  const clients: RedisClientType[] = [];
  const prefix = `${inject('redisPrefix')}:node-messages:${Date.now()}`;
  const log = pino({ level: 'silent' });
  const node = async (nodeId: string, handle: (body: NodeMessage, from: string) => Promise<unknown>, timeoutMs = 2000) => {
    const redis = createClient({ url: inject('redisUrl') }) as RedisClientType;
    const sub = createClient({ url: inject('redisUrl') }) as RedisClientType;
    await Promise.all([redis.connect(), sub.connect()]);
    clients.push(redis, sub);
    const messages = new NodeMessages({ redis, sub, prefix, nodeId, timeoutMs, handle, log });
    await messages.start();
    return messages;
  };
  let a: NodeMessages;
  const told: string[] = [];

  beforeAll(async () => {
    a = await node('a', async () => null);
    await node('b', async (body, from) => {
      if (body.type === 'node-gone') return void told.push(`${from}:${body.node}`);
      if (body.type === 'media' && body.request.type === 'closeImportsFrom') return { closed: 2 };
      throw new MediaError('PIPE_NOT_FOUND', 'No pipe to a in this room; open it first');
    });
    await node('silent', () => new Promise(() => {}), 2000);
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
  });

  it('answers a request, carries a MediaError back with its code, and fails at once for a node nobody listens as', async () => {
    expect(await a.request('b', { type: 'media', request: { type: 'closeImportsFrom', node: 'x' } })).toEqual({ closed: 2 });
    const refused = await a
      .request('b', { type: 'media', request: { type: 'exportProducer', roomId: 'r', producerId: 'p', toNode: 'a' } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MediaError);
    expect(refused).toMatchObject({ code: 'PIPE_NOT_FOUND' });

    const started = performance.now();
    await expect(a.request('nobody', { type: 'media', request: { type: 'closeImportsFrom', node: 'x' } })).rejects.toMatchObject({
      code: 'PRODUCER_NOT_FOUND',
    });
    expect(performance.now() - started).toBeLessThan(1000);

    await expect(a.request('silent', { type: 'media', request: { type: 'closeImportsFrom', node: 'x' } })).rejects.toThrow(/did not answer/);
    // Split roles: a media call waits with its own code, and is answered once its node is found dead.
    const waiting = a.request('silent', { type: 'media-call', call: { method: 'stats', args: [] } }, 'MEDIA_UNAVAILABLE');
    expect(a.abandon('silent')).toBe(1);
    await expect(waiting).rejects.toMatchObject({ code: 'MEDIA_UNAVAILABLE', message: expect.stringMatching(/gone/) });

    expect(await a.tellAll({ type: 'node-gone', node: 'dead' })).toBeGreaterThanOrEqual(3);
    await expect.poll(() => told).toEqual(['a:dead']);
  });
});
