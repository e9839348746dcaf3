import { describe, expect, it } from 'vitest';
import { presenceEffects } from './presence-effects.ts';

function recorder() {
  const calls: string[] = [];
  const effects = presenceEffects({
    recount: (roomId) => void calls.push(`recount ${roomId}`),
    ledger: {
      stopped: async (b, identity, at) => void calls.push(`stopped ${b} ${identity} ${at.getTime()}`),
      watching: async (b, identity) => void calls.push(`watching ${b} ${identity}`),
    },
    queue: {
      markDisconnected: async (seeker, at) => void calls.push(`disconnected ${seeker} ${at.getTime()}`),
      markConnected: async (seeker) => void calls.push(`connected ${seeker}`),
    },
    lineChanged: (boothId) => void calls.push(`line ${boothId}`),
    boothChanged: (boothId) => void calls.push(`booth ${boothId}`),
    stageChanged: async (b) => void calls.push(`stage ${b}`),
  });
  return { calls, effects };
}

describe('presence effects: the leave and join paths replayed for swept or restored presence', () => {
  it('ends views and starts grace periods only for identities with no connection left, at the given time', async () => {
    const { calls, effects } = recorder();
    const at = new Date(1_000);
    await effects.gone(
      [
        { roomId: 'broadcast:b', identity: 'user:1', connectionId: 's1', remaining: 0 },
        { roomId: 'broadcast:b', identity: 'user:2', connectionId: 's1', remaining: 1 },
        { roomId: 'online', identity: 'user:1', connectionId: 's1', remaining: 0 },
        { roomId: 'online', identity: 'user:2', connectionId: 's2', remaining: 1 },
        { roomId: 'online', identity: 'device:x', connectionId: 's3', remaining: 0 },
        { roomId: 'duty:booth-1', identity: 'user:3', connectionId: 's4', remaining: 0 },
        { roomId: 'fair:f', identity: 'user:1', connectionId: 's1|booth-2', remaining: 0 },
        { roomId: 'booth:booth-3', identity: 'user:1', connectionId: 's1', remaining: 0 },
        { roomId: 'hands:b', identity: '["s1","Ann"]', connectionId: 's1', remaining: 0 },
        { roomId: 'sockets:identity:user:1', identity: 's1', connectionId: 's1', remaining: 0 },
        { roomId: 'interview:i', identity: 'user:1', connectionId: 's1', remaining: 0 },
      ],
      at,
    );
    expect(calls.sort()).toEqual(
      [
        'stopped b user:1 1000',
        'disconnected 1 1000',
        'stage b',
        'recount broadcast:b',
        'recount booth:booth-3',
        'line booth-1',
        'booth booth-2',
        'booth booth-3',
      ].sort(),
    );
  });

  it('resumes views and places for restored presence', async () => {
    const { calls, effects } = recorder();
    await effects.restored([
      { roomId: 'broadcast:b', identity: 'device:x', connectionId: 's1' },
      { roomId: 'online', identity: 'user:5', connectionId: 's1' },
      { roomId: 'duty:booth-1', identity: 'user:3', connectionId: 's4' },
    ]);
    expect(calls.sort()).toEqual(['watching b device:x', 'connected 5', 'recount broadcast:b', 'line booth-1'].sort());
  });
});
