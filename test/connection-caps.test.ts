import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { startPlatform, sessionCookie, send, type TestClient } from './helpers.ts';

type Started = Awaited<ReturnType<typeof startPlatform>>;

/**
 * Sockets per identity and per client address are capped at the handshake, counted over both
 * nodes in Redis and given back on disconnect.
 */
describe('connection caps across two nodes', () => {
  const nodes: Started[] = [];
  const open: TestClient[] = [];

  beforeAll(async () => {
    // Behind a proxy: the client address is the entry the proxy appended to x-forwarded-for.
    const env = { SOCKETS_PER_IDENTITY: '3', SOCKETS_PER_ADDRESS: '5', ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' };
    nodes.push(await startPlatform({ redis: true, env }), await startPlatform({ redis: true, env }));
  });
  afterAll(async () => {
    open.forEach((c) => c.disconnect());
    for (const n of nodes) await n.platform.close();
  });

  /** Connects and resolves with the socket, or with the handshake's refusal. */
  const attempt = (node: number, options: { deviceId?: string; cookie?: string; address: string }) =>
    new Promise<{ socket: TestClient } | { refused: { message: string; data?: { code?: string; message?: string } } }>((resolve) => {
      const socket: TestClient = connectClient(nodes[node]!.url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        auth: options.deviceId ? { deviceId: options.deviceId } : {},
        // A forged entry on the left must not matter: only the proxy's (rightmost) one counts.
        extraHeaders: {
          'x-forwarded-for': `10.9.${Math.floor(Math.random() * 250)}.1, ${options.address}`,
          ...(options.cookie ? { cookie: options.cookie } : {}),
        },
      });
      socket.once('connect', () => {
        open.push(socket);
        resolve({ socket });
      });
      socket.once('connect_error', (err) => resolve({ refused: err as never }));
    });

  it('the fourth connection of one device is refused with TOO_MANY_CONNECTIONS, on either node', async () => {
    const device = { deviceId: 'caps-device-0001', address: '198.51.100.1' };
    const first = await attempt(0, device);
    const second = await attempt(1, device);
    const third = await attempt(0, device);
    for (const r of [first, second, third]) expect(r).toHaveProperty('socket');
    const fourth = await attempt(1, device);
    expect(fourth).toMatchObject({ refused: { message: 'TOO_MANY_CONNECTIONS', data: { code: 'TOO_MANY_CONNECTIONS' } } });

    // Closing one tab gives its place back (counted in Redis, on the other node).
    (second as { socket: TestClient }).socket.disconnect();
    await expect.poll(async () => 'socket' in (await attemptAndClose(1, device)), { timeout: 5000 }).toBe(true);
  });

  it('a signed-in user is capped the same way, whatever device ids they send', async () => {
    const cookie = await sessionCookie(nodes[0]!.platform.auth, 'employer2@example.com');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await attempt(i % 2, { cookie, deviceId: `caps-user-dev-${i}0`, address: `198.51.100.${10 + i}` }));
    expect(results.filter((r) => 'socket' in r)).toHaveLength(3);
    expect(results[3]).toMatchObject({ refused: { data: { code: 'TOO_MANY_CONNECTIONS' } } });
  });

  it('one address is capped over many device ids; another address is not affected', async () => {
    const address = '203.0.113.7';
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await attempt(i % 2, { deviceId: `caps-addr-dev-${i}0`, address }));
    expect(results.filter((r) => 'socket' in r)).toHaveLength(5);
    expect(results.slice(5)).toEqual([
      expect.objectContaining({ refused: expect.objectContaining({ message: 'TOO_MANY_CONNECTIONS' }) }),
      expect.objectContaining({ refused: expect.objectContaining({ message: 'TOO_MANY_CONNECTIONS' }) }),
    ]);
    const elsewhere = await attempt(0, { deviceId: 'caps-addr-other1', address: '203.0.113.8' });
    expect(elsewhere).toHaveProperty('socket');
    // A refused handshake took nothing: after the five close, five new ones fit again.
    for (const r of results) if ('socket' in r) r.socket.disconnect();
    const again: Array<Awaited<ReturnType<typeof attempt>>> = [await firstAdmitted(1, { deviceId: 'caps-addr-new-00', address })];
    for (let i = 1; i < 5; i++) again.push(await attempt(i % 2, { deviceId: `caps-addr-new-${i}0`, address }));
    expect(again.every((r) => 'socket' in r)).toBe(true);
    if ('socket' in again[0]!) expect((await send(again[0].socket, 'booth:leave', { boothId: '00000000-0000-4000-8000-000000000000' })).ok).toBe(true);
  });

  /** Retries until the handshake is admitted (the releases of closed sockets land asynchronously). */
  const firstAdmitted = async (node: number, options: { deviceId?: string; address: string }) => {
    for (let i = 0; i < 50; i++) {
      const r = await attempt(node, options);
      if ('socket' in r) return r;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('never admitted');
  };

  const attemptAndClose = async (node: number, options: { deviceId?: string; address: string }) => {
    const r = await attempt(node, options);
    if ('socket' in r) r.socket.disconnect();
    return r;
  };
});
