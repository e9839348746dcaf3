import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { PrivatePostgres } from './private-postgres.ts';

describe('private Postgres for failure tests', () => {
  let pg: PrivatePostgres | undefined;
  afterAll(async () => pg?.stop());

  it('keeps committed rows across a crash and a restart on the same port', async () => {
    pg = await PrivatePostgres.start();
    const sql = postgres(pg.url(), { max: 1, onnotice: () => {} });
    await sql`create table t (n int)`;
    await sql`insert into t values (1)`;
    await sql.end();
    await pg.crash();
    await expect(postgres(pg.url(), { max: 1, connect_timeout: 2 })`select 1`).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await pg.restart();
    const again = postgres(pg.url(), { max: 1, onnotice: () => {} });
    expect(await again`select n from t`).toEqual([{ n: 1 }]);
    await again.end();
  }, 60_000);
});
