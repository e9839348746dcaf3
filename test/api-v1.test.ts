import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import { schema, type SessionUser } from '@fairground/db';
import { startPlatform } from './helpers.ts';
import { fixtures, type FixtureBooth } from './fixtures.ts';
import { visitBooth } from './webhook-flow.ts';

const ALL = ['fairs:read', 'booths:read', 'jobs:read', 'candidates:read', 'interviews:read', 'reports:read'];

/** The read API over HTTP against a real platform: the document, the answers, the tokens. */
describe('read API /api/v1', () => {
  let app: Awaited<ReturnType<typeof startPlatform>>;
  let world: { fair: { id: string }; organizer: SessionUser; booths: Record<'Alpha' | 'Beta', FixtureBooth> };
  let tokenA: string;
  let seekerA: string;

  const get = async (path: string, token?: string) => {
    const res = await fetch(`${app.url}/api/v1${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    app = await startPlatform({ env: { WEBHOOK_POLL_MS: '0', API_REQUESTS_PER_MINUTE: '40' } });
    const f = fixtures(app.db);
    world = await f.liveFair({ employers: ['Alpha', 'Beta'] });
    const seeker = await f.account('seeker');
    seekerA = seeker.id;
    await visitBooth(app.platform.services, world.booths.Alpha, seeker);
    const owner = { kind: 'employer' as const, employerId: world.booths.Alpha.employerId };
    tokenA = (await app.platform.services.apiTokens.create(world.booths.Alpha.owner, owner, { name: 'ATS', scopes: ALL })).token;
  });
  afterAll(async () => {
    await app?.platform.close();
  });

  it('serves an OpenAPI 3.1 document that validates', async () => {
    const { status, body } = await get('/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(body as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("answers every documented endpoint with a body matching the document's schema", async () => {
    const doc = (await get('/openapi.json')).body as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> } }>;
      components: unknown;
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'https://fairground.test/openapi.json', components: doc.components });
    const validator = (ref: string) => ajv.getSchema(`https://fairground.test/openapi.json${ref}`)!;
    const paths = Object.keys(doc.paths);
    expect(paths.sort()).toEqual([
      '/booths',
      '/candidates',
      '/exports/candidates.csv',
      '/exports/candidates.json',
      '/fairs',
      '/interviews',
      '/jobs',
      '/report',
    ]);
    // The exports are files (their formats have their own test, test/candidate-export.test.ts).
    for (const path of paths.filter((p) => !p.startsWith('/exports/'))) {
      const { status, body } = await get(path, tokenA);
      expect(status, path).toBe(200);
      const validate = validator(doc.paths[path]!.get.responses['200']!.content['application/json']!.schema.$ref);
      expect(validate(body), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
      // A schema check over an empty list would prove little: each list has rows here.
      if ('data' in body) expect((body.data as unknown[]).length, path).toBeGreaterThan(0);
    }
    // Error bodies match the Error schema too.
    const unauthenticated = await get('/fairs');
    expect(unauthenticated.status).toBe(401);
    expect(validator('#/components/schemas/Error')(unauthenticated.body)).toBe(true);
    expect(unauthenticated.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    const badCursor = await get('/jobs?cursor=nonsense', tokenA);
    expect(badCursor.status).toBe(400);
    expect(validator('#/components/schemas/Error')(badCursor.body)).toBe(true);
  });

  it("an employer's token reads its own candidates, interviews and outcomes, with cursor pages", async () => {
    const candidates = await get('/candidates', tokenA);
    expect((candidates.body.data as Array<{ id: string }>).map((c) => c.id)).toEqual([seekerA]);
    const interviews = await get('/interviews', tokenA);
    expect(interviews.body.data).toEqual([expect.objectContaining({ seekerId: seekerA, outcome: 'next_round', rating: 3, boothId: world.booths.Alpha.id })]);
    // Pages of one: every booth once, then the end.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/fairs?limit=1${cursor ? `&cursor=${cursor}` : ''}`, tokenA);
      seen.push(...(page.body.data as Array<{ id: string }>).map((f) => f.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual([world.fair.id]);
    const report = await get('/report', tokenA);
    expect(report.body).toMatchObject({ queued: 1, interviewed: 1, withOutcome: 1 });
  });

  it("refuses another employer's data: a second employer's token sees none of the first's people", async () => {
    const beta = world.booths.Beta;
    const { token } = await app.platform.services.apiTokens.create(beta.owner, { kind: 'employer', employerId: beta.employerId }, { name: 'B', scopes: ALL });
    expect((await get('/candidates', token)).body.data).toEqual([]);
    expect((await get('/interviews', token)).body.data).toEqual([]);
    expect((await get('/booths', token)).body.data).toEqual([expect.objectContaining({ id: beta.id })]);
    // Nor may Beta's owner manage Alpha's tokens or make tokens for Alpha.
    const [alphaToken] = await app.platform.services.apiTokens.list(world.booths.Alpha.owner, { kind: 'employer', employerId: world.booths.Alpha.employerId });
    await expect(app.platform.services.apiTokens.revoke(beta.owner, alphaToken!.id)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(
      app.platform.services.apiTokens.create(beta.owner, { kind: 'employer', employerId: world.booths.Alpha.employerId }, { name: 'x', scopes: ALL }),
    ).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
  });

  it("a fair's token reads the fair, its booths and report, never candidates", async () => {
    const owner = { kind: 'fair' as const, fairId: world.fair.id };
    await expect(app.platform.services.apiTokens.create(world.organizer, owner, { name: 'x', scopes: ['candidates:read'] })).rejects.toMatchObject({
      code: 'INVALID',
    });
    const { token } = await app.platform.services.apiTokens.create(world.organizer, owner, {
      name: 'Fair',
      scopes: ['fairs:read', 'booths:read', 'reports:read'],
    });
    expect((await get('/booths', token)).body.data).toHaveLength(2);
    expect((await get('/candidates', token)).body).toEqual({ error: { code: 'INSUFFICIENT_SCOPE', message: expect.any(String) } });
  });

  it('scopes: a token reads only what its scopes name', async () => {
    const alpha = world.booths.Alpha;
    const { token } = await app.platform.services.apiTokens.create(
      alpha.owner,
      { kind: 'employer', employerId: alpha.employerId },
      { name: 'jobs only', scopes: ['jobs:read'] },
    );
    expect((await get('/jobs', token)).status).toBe(200);
    const refused = await get('/candidates', token);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'INSUFFICIENT_SCOPE', message: expect.any(String) } });
  });

  it('revocation takes effect on the next request, and only a hash is kept', async () => {
    const alpha = world.booths.Alpha;
    const { token, view } = await app.platform.services.apiTokens.create(
      alpha.owner,
      { kind: 'employer', employerId: alpha.employerId },
      { name: 'temp', scopes: ['fairs:read'] },
    );
    expect((await get('/fairs', token)).status).toBe(200);
    const [row] = await app.db.select().from(schema.apiTokens).where(eq(schema.apiTokens.id, view.id));
    expect(JSON.stringify(row)).not.toContain(token.slice(4));
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    await app.platform.services.apiTokens.revoke(alpha.owner, view.id);
    expect((await get('/fairs', token)).status).toBe(401);
  });

  it('rate-limits each token (429 with Retry-After)', async () => {
    const alpha = world.booths.Alpha;
    const { token } = await app.platform.services.apiTokens.create(
      alpha.owner,
      { kind: 'employer', employerId: alpha.employerId },
      { name: 'burst', scopes: ['fairs:read'] },
    );
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof get>> | null = null;
    for (let i = 0; i < 45; i++) {
      const r = await get('/fairs', token);
      statuses.push(r.status);
      if (r.status === 429) limited ??= r;
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(limited!.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another token is not affected.
    expect((await get('/fairs', tokenA)).status).toBe(200);
  });
});
