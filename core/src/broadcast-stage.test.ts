import { describe, expect, it } from 'vitest';
import { MemoryPresenceStore } from './memory-presence.ts';
import { BroadcastStage } from './broadcast-stage.ts';

describe('BroadcastStage', () => {
  it('brings a raised hand on stage, at most three guests, and sends them back', async () => {
    const stage = new BroadcastStage(new MemoryPresenceStore());
    for (const i of [1, 2, 3, 4]) await stage.setHand('b', { peer: `p${i}`, name: `Viewer ${i}` }, true);
    expect((await stage.state('b')).hands).toHaveLength(4);

    expect(await stage.invite('b', 'p1')).toEqual({ peer: 'p1', name: 'Viewer 1' });
    await stage.invite('b', 'p2');
    await stage.invite('b', 'p3');
    await expect(stage.invite('b', 'p4')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(stage.invite('b', 'nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const state = await stage.state('b');
    expect(state.guests.map((g) => g.peer).sort()).toEqual(['p1', 'p2', 'p3']);
    expect(state.hands).toEqual([{ peer: 'p4', name: 'Viewer 4' }]);
    expect(await stage.isGuest('b', 'p1')).toBe(true);

    expect(await stage.remove('b', 'p1')).toBe(true);
    expect(await stage.remove('b', 'p1')).toBe(false);
    expect(await stage.isGuest('b', 'p1')).toBe(false);
    await stage.invite('b', 'p4');
    expect((await stage.state('b')).hands).toEqual([]);
  });

  it('forgets a leaving connection’s hand and stage place; a lowered hand is gone', async () => {
    const stage = new BroadcastStage(new MemoryPresenceStore());
    await stage.setHand('b', { peer: 'p1', name: 'A' }, true);
    await stage.setHand('b', { peer: 'p2', name: 'B' }, true);
    await stage.setHand('b', { peer: 'p2', name: 'B' }, false);
    await stage.invite('b', 'p1');
    expect(await stage.leave('b', 'p1')).toBe(true);
    expect(await stage.state('b')).toEqual({ broadcastId: 'b', hands: [], guests: [] });
    expect(await stage.leave('b', 'p9')).toBe(false);
  });
});

describe('BroadcastStage under concurrent invitations', () => {
  it('seats exactly three guests when ten hosts invite at once', async () => {
    const stage = new BroadcastStage(new MemoryPresenceStore());
    for (let i = 0; i < 10; i++) await stage.setHand('b', { peer: `p${i}`, name: `Viewer ${i}` }, true);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => stage.invite('b', `p${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(7).fill('CONFLICT'));
    expect((await stage.state('b')).guests).toHaveLength(3);
  });
});
