import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAdmission } from './admission.ts';
import type { AppServer, AppSocket } from './types.ts';

/** Just what admission touches: the server's `connection` event and each socket's transport. */
function fakes() {
  const io = new EventEmitter();
  let n = 0;
  const socket = () => ({ id: `s${++n}`, conn: new EventEmitter() });
  /** What the middleware passed to `next`: undefined when admitted, the refusal otherwise. */
  const outcome = async (admission: ReturnType<typeof createAdmission>, s: ReturnType<typeof socket>) => {
    const calls: Array<Error | undefined> = [];
    await admission.middleware(s as unknown as AppSocket, (err) => calls.push(err));
    expect(calls).toHaveLength(1);
    return calls[0];
  };
  return { io, socket, outcome };
}

const log = pino({ level: 'silent' });

describe('handshake admission control', () => {
  it('takes in a burst, then refuses with BUSY and a hint that grows with the crowd', async () => {
    const { io, socket, outcome } = fakes();
    const admission = createAdmission(io as unknown as AppServer, { rate: { perSecond: 5, burst: 5 }, maxBacklog: 1000, backlog: () => 0, log });
    for (let i = 0; i < 5; i++) expect(await outcome(admission, socket())).toBeUndefined();
    const hints: number[] = [];
    for (let i = 0; i < 20; i++) {
      const err = (await outcome(admission, socket())) as Error & { data: { code: string; retryAfterMs: number } };
      expect(err.message).toBe('BUSY');
      expect(err.data.code).toBe('BUSY');
      hints.push(err.data.retryAfterMs);
    }
    expect(hints[0]).toBeGreaterThanOrEqual(1000);
    expect(hints.at(-1)!).toBeGreaterThan(hints[0]!);
    expect(admission.stats()).toMatchObject({ admitted: 5, refused: 20 });
  });

  it('refuses while the node’s backlog is full, counting handshakes until they connect or close', async () => {
    const { io, socket, outcome } = fakes();
    let backlog = 0;
    const admission = createAdmission(io as unknown as AppServer, { rate: { perSecond: 1000, burst: 1000 }, maxBacklog: 3, backlog: () => backlog, log });
    const a = socket();
    const b = socket();
    expect(await outcome(admission, a)).toBeUndefined();
    expect(await outcome(admission, b)).toBeUndefined();
    backlog = 1; // two handshakes being checked and one request: full
    expect(await outcome(admission, socket())).toMatchObject({ message: 'BUSY' });
    io.emit('connection', a); // a connected: no longer a handshake in flight
    expect(await outcome(admission, socket())).toBeUndefined();
    expect(admission.stats().handshakes).toBe(2);
    b.conn.emit('close'); // b's client went away (or a later check refused it)
    expect(admission.stats().handshakes).toBe(1);
    backlog = 5; // the leaving half of a blip: disconnect writes fill the backlog
    expect(await outcome(admission, socket())).toMatchObject({ message: 'BUSY' });
  });
});
