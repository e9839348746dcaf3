import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServices, defaultDeliveryOptions } from '@fairground/core';
import { freshDatabase, until } from '../helpers.ts';
import { fixtures } from '../fixtures.ts';
import { startReceiver } from '../webhook-receiver.ts';
import { freePort } from './cluster.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The real app process (`main.ts`), on its own database; resolves once it listens. */
async function startApp(databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: 'w'.repeat(32),
      SEED_DEMO: 'false',
      MEDIA_WORKERS: '1',
      MEDIASOUP_WORKER_BIN: inject('workerBin'),
      LOG_LEVEL: 'info',
      CLOCK_INTERVAL_MS: '0',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_RETRY_BASE_MS: '100',
      // A request the dead process was making is taken up again once its lease ran out.
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_LEASE_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the app did not start')), 90_000);
    child.once('exit', (code) => reject(new Error(`the app exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"msg":"listening"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(child.pid!, 'SIGKILL');
  });
}

/**
 * Killing the app mid-delivery loses nothing: events are in the outbox (committed with the
 * changes), deliveries are rows with leases, and a restarted process sends what the dead one was
 * sending or had not reached yet. A real process, SIGKILL by pid while requests hang at the
 * receiver, a restart, then the count.
 */
describe('webhook delivery across a crash', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let app: ChildProcess | null = null;
  beforeAll(async () => {
    fresh = await freshDatabase('webhook_crash');
  });
  afterAll(async () => {
    if (app) await kill(app);
    await fresh?.drop();
  });

  it('delivers every event at least once, and each exactly once after dedup', async () => {
    let hang = true;
    const receiver = await startReceiver(() => (hang ? 'hang' : 200));
    try {
      const f = fixtures(fresh.database.db);
      // The receiver is on 127.0.0.1: this test's services, like the app, allow private addresses.
      const services = createServices(fresh.database.db, undefined, undefined, undefined, undefined, {
        address: { allowPrivate: true },
        delivery: defaultDeliveryOptions,
      });
      const names = ['A', 'B', 'C', 'D'] as const;
      const { booths } = await f.liveFair({ employers: names });
      const secrets: string[] = [];
      for (const name of names) {
        const b = booths[name];
        const { secret } = await services.webhooks.create(
          b.owner,
          { kind: 'employer', employerId: b.employerId },
          { url: receiver.url, events: ['queue.joined'] },
        );
        secrets.push(secret);
      }
      app = await startApp(fresh.url);
      // Events written by this process (any node's change goes through the same outbox): five
      // joins at each of four booths, 20 events in 4 ordered subjects.
      const seekers = await Promise.all(Array.from({ length: 5 }, () => f.account('seeker')));
      // (Each leaves again at once: a seeker waits in at most three lines.)
      for (const seeker of seekers) {
        for (const name of names) {
          await services.queue.join(seeker, booths[name].id, true);
          await services.queue.leave(seeker, booths[name].id);
        }
      }

      // The app is mid-delivery: a request per booth is open at the receiver. Kill it.
      await until('requests in flight', () => receiver.received.length >= 4, 30_000);
      const inFlight = receiver.received.length;
      await kill(app);
      app = null;
      hang = false;
      // More changes while it is down: they wait in the outbox.
      for (const name of names) await services.queue.join(await f.account('seeker'), booths[name].id, true);

      app = await startApp(fresh.url);
      await until(
        'every event delivered',
        () => receiver.deduplicated().length === 24,
        30_000,
        () => receiver.deduplicated().length,
      );
      const kept = receiver.deduplicated();
      expect(new Set(kept.map((r) => r.id)).size).toBe(24);
      // The requests the dead process left open were sent again (at least once).
      const retried = new Set(receiver.received.slice(0, inFlight).map((r) => r.id));
      for (const id of retried) expect(kept.some((r) => r.id === id)).toBe(true);
      // Per booth, the joins arrived in the order they happened.
      for (const name of names) {
        const entries = kept.filter((r) => r.payload.data.boothId === booths[name].id).map((r) => String(r.payload.data.joinedAt));
        expect(entries).toHaveLength(6);
        expect([...entries].sort()).toEqual(entries);
      }
      // Every request was signed with its endpoint's secret.
      for (const r of kept)
        expect(
          secrets.some((s) =>
            (() => {
              try {
                return receiver.verify(s, r);
              } catch {
                return false;
              }
            })(),
          ),
        ).toBe(true);
      process.stdout.write(
        `[chaos] webhook crash: ${inFlight} requests made before SIGKILL (open at the receiver), ${receiver.received.length} requests for 24 events\n`,
      );
    } finally {
      await receiver.close();
    }
  }, 180_000);
});
