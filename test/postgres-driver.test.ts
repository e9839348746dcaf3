import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';

/**
 * postgres.js 3.4.9 had a defect (porsager/postgres#1154, #1208): a write scheduled on a connection
 * whose server side went away either threw from a timer (ending the process) or never settled. This
 * project patched it (patches/) until postgres.js 4 settled it with CONNECTION_CLOSED itself; this
 * keeps that true for every driver release we move to (it fails on an unpatched 3.4.9).
 */
describe('postgres.js on a connection whose backend died', () => {
  const admin = postgres(inject('databaseUrl'), { max: 1 });
  const sql = postgres(inject('databaseUrl'), { max: 1 });
  afterAll(async () => {
    await Promise.all([admin.end({ timeout: 1 }), sql.end({ timeout: 1 })]);
  });

  it('rejects the next queries with CONNECTION_CLOSED instead of hanging or crashing', async () => {
    const reserved = await sql.reserve();
    const [row] = await reserved<Array<{ pid: number }>>`select pg_backend_pid() as pid`;
    await admin`select pg_terminate_backend(${row!.pid})`;
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 2; i++) {
      const outcome = await Promise.race([
        reserved`select 1`.then(
          () => 'answered',
          (err: { code?: string }) => err.code ?? 'error',
        ),
        new Promise((r) => setTimeout(() => r('hung'), 5000)),
      ]);
      expect(outcome).toBe('CONNECTION_CLOSED');
    }
    reserved.release();
  });
});
