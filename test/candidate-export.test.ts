import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema, type SessionUser } from '@fairground/db';
import { startPlatform } from './helpers.ts';
import { fixtures, type FixtureBooth } from './fixtures.ts';
import { visitBooth } from './webhook-flow.ts';

const require = createRequire(import.meta.url);
const jsonResume = require('@jsonresume/schema') as { validate(doc: unknown, cb: (errors: unknown, valid: boolean) => void): void };

/** Candidate exports (CSV and JSON Resume) through the API, and for signed-in staff. */
describe('candidate exports', () => {
  let app: Awaited<ReturnType<typeof startPlatform>>;
  let world: { fair: { id: string }; booths: Record<'Gamma' | 'Delta', FixtureBooth> };
  let seeker: SessionUser;
  let token: string;
  const get = (path: string, t = token) => fetch(`${app.url}/api/v1${path}`, { headers: { authorization: `Bearer ${t}` } });

  beforeAll(async () => {
    app = await startPlatform({ env: { WEBHOOK_POLL_MS: '0' } });
    const f = fixtures(app.db);
    world = await f.liveFair({ employers: ['Gamma', 'Delta'] });
    // A name a spreadsheet would run as a formula.
    seeker = await f.account('seeker', '=HYPERLINK("http://evil.example")');
    await visitBooth(app.platform.services, world.booths.Gamma, seeker);
    const gamma = world.booths.Gamma;
    token = (
      await app.platform.services.apiTokens.create(
        gamma.owner,
        { kind: 'employer', employerId: gamma.employerId },
        { name: 'ATS', scopes: ['candidates:read'] },
      )
    ).token;
  });
  afterAll(async () => {
    await app?.platform.close();
  });

  it('exports the booth’s candidates as CSV with formulas neutralised', async () => {
    const res = await get(`/exports/candidates.csv?boothId=${world.booths.Gamma.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await res.text();
    const lines = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('id,name,email,headline,skills,years_experience,education,resume_upload_id,first_seen_at');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(seeker.id);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"") (fixture)"`);
  });

  it('exports JSON Resume documents that validate against the JSON Resume schema', async () => {
    const res = await get(`/exports/candidates.json?fairId=${world.fair.id}`);
    expect(res.status).toBe(200);
    const docs = (await res.json()) as Array<Record<string, unknown>>;
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ basics: { name: seeker.name }, meta: { fairground: { candidateId: seeker.id } } });
    for (const doc of docs) {
      const errors = await new Promise((resolve) => jsonResume.validate(doc, (e) => resolve(e)));
      expect(errors).toBeNull();
    }
  });

  it('follows the same rules as the API: another employer’s booth is unknown, a token needs candidates:read', async () => {
    expect((await get(`/exports/candidates.csv?boothId=${world.booths.Delta.id}`)).status).toBe(404);
    const delta = world.booths.Delta;
    const other = (
      await app.platform.services.apiTokens.create(delta.owner, { kind: 'employer', employerId: delta.employerId }, { name: 'x', scopes: ['jobs:read'] })
    ).token;
    const refused = await get('/exports/candidates.json', other);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: 'INSUFFICIENT_SCOPE', message: expect.any(String) } });
    // Signed-in staff: their own employer only.
    expect(await app.platform.services.candidateExports.forMember(world.booths.Gamma.owner, world.booths.Gamma.employerId, {})).toHaveLength(1);
    await expect(app.platform.services.candidateExports.forMember(delta.owner, world.booths.Gamma.employerId, {})).rejects.toMatchObject({
      code: 'NOT_AUTHORIZED',
    });
    expect(await app.platform.services.candidateExports.forMember(delta.owner, delta.employerId, {})).toEqual([]);
  });

  it('filters by the day the candidate engaged (on the fair’s clock) and by an interview’s outcome, and refuses a bad choice with field codes', async () => {
    const gamma = world.booths.Gamma;
    const f = fixtures(app.db);
    // A second seeker joined Gamma’s line on 2 March, 00:30 in Shanghai (1 March, 16:30 UTC), and
    // had no interview.
    const late = await f.account('seeker', 'late');
    const { entry } = await app.platform.services.queue.join(late, gamma.id, true);
    await app.db
      .update(schema.queueEntries)
      .set({ joinedAt: new Date('2025-03-01T16:30:00Z') })
      .where(eq(schema.queueEntries.id, entry.id));
    const ids = async (scope: Record<string, string>) =>
      (await app.platform.services.candidateExports.forMember(gamma.owner, gamma.employerId, scope)).map((c) => c.id).sort();

    expect(await ids({})).toEqual([seeker.id, late.id].sort());
    // The fair is in Shanghai: that join was on 2 March there (and on 1 March in UTC).
    expect(await ids({ boothId: gamma.id, from: '2025-03-02', to: '2025-03-02' })).toEqual([late.id]);
    expect(await ids({ boothId: gamma.id, from: '2025-03-01', to: '2025-03-01' })).toEqual([]);
    expect(await ids({ from: '2025-03-01', to: '2025-03-01' })).toEqual([late.id]); // no fair chosen: UTC days
    expect(await ids({ boothId: gamma.id, from: '2025-03-03' })).toEqual([seeker.id]); // the first seeker joined today
    // The first seeker’s interview ended with next_round; the second had none.
    expect(await ids({ boothId: gamma.id, outcome: 'next_round' })).toEqual([seeker.id]);
    expect(await ids({ outcome: 'offer' })).toEqual([]);
    // Empty fields mean "any" (a form sends them so).
    expect(await ids({ boothId: '', from: '', to: '', outcome: '' })).toEqual([seeker.id, late.id].sort());

    const refusal = (scope: Record<string, string>) =>
      app.platform.services.candidateExports.forMember(gamma.owner, gamma.employerId, scope).then(
        () => null,
        (e: unknown) => e,
      );
    expect(await refusal({ from: '2025-03-05', to: '2025-03-04' })).toMatchObject({ code: 'INVALID', fields: { to: 'before_from' } });
    expect(await refusal({ from: '2025-02-30' })).toMatchObject({ code: 'INVALID', fields: { from: 'date' } });
    expect(await refusal({ to: 'yesterday' })).toMatchObject({ code: 'INVALID', fields: { to: 'date' } });
    expect(await refusal({ outcome: 'hired!' })).toMatchObject({ code: 'INVALID', fields: { outcome: 'invalid' } });
    // The API takes the same filters.
    const res = await get(`/exports/candidates.json?boothId=${gamma.id}&outcome=next_round`);
    expect(((await res.json()) as Array<{ meta: { fairground: { candidateId: string } } }>).map((d) => d.meta.fairground.candidateId)).toEqual([seeker.id]);
    const bad = await get(`/exports/candidates.csv?from=2025-13-01`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'INVALID', message: expect.any(String) } });
    await app.platform.services.queue.leave(late, gamma.id);
  });
});
