// The platform as a real deployment runs it: `signaling/src/main.ts` in production mode with the
// built pages, against an empty Postgres database of its own, and `npm run create-admin` as a
// child process. Needs the web build (scripts/prepare.mjs makes it; `npm test` runs that first).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_PASSWORD } from '@fairground/demo';
import { ensureWebBuild, WEB_HANDLER } from '../scripts/prepare.mjs';

const root = new URL('..', import.meta.url).pathname;
const ORIGIN = 'https://fair.example.test';
const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';
const ATTEMPTS = 3;

interface Node {
  child: ChildProcess;
  url: string;
  stdout: string[];
}

/** Runs a process to its end: exit code and what it printed. */
function run(args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

function startNode(env: Record<string, string>): Promise<Node> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stdout: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start in time')), 60_000);
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          resolve({ child, url: `http://127.0.0.1:${entry.port}`, stdout });
        }
      } catch {
        // not a log line
      }
    });
  });
}

const stop = (node: Node | undefined) =>
  node && new Promise((resolve) => (node.child.exitCode !== null ? resolve(null) : (node.child.once('exit', resolve), node.child.kill('SIGTERM'))));

/** Posts the sign-in form as a browser on ORIGIN would. */
function signIn(node: Node, email: string, password: string, options: { next?: string; headers?: Record<string, string> } = {}) {
  const path = options.next === undefined ? '/sign-in' : `/sign-in?next=${encodeURIComponent(options.next)}`;
  return fetch(`${node.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    // A browser's plain form post (an Accept of */* would get SvelteKit's JSON answer for enhanced forms).
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: ORIGIN, ...options.headers },
    body: new URLSearchParams({ email, password }),
  });
}

// Each test may start a process (tsx, argon2): generous on a loaded 2-core machine.
describe('a production deployment', { timeout: 120_000 }, () => {
  const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `fairground_production_${process.pid}_${Date.now()}`;
  let env: Record<string, string>;
  let direct: Node | undefined;
  let proxied: Node | undefined;

  beforeAll(async () => {
    ensureWebBuild();
    expect(existsSync(WEB_HANDLER)).toBe(true);
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${name}`;
    env = {
      NODE_ENV: 'production',
      ORIGIN,
      AUTH_SECRET: 'a-production-secret-of-at-least-32-chars',
      METRICS_TOKEN,
      // Required in production; nothing here sends mail (create-admin's organizer is verified),
      // and a send would fail loudly against the closed discard port.
      SMTP_URL: 'smtp://127.0.0.1:9',
      DATABASE_URL: url.toString(),
      REDIS_URL: '',
      DATA_DIR: '',
      SEED_DEMO: '',
      ADDRESS_HEADER: '',
      XFF_DEPTH: '',
      PORT: '0',
      HOST: '127.0.0.1',
      MEDIA_WORKERS: '1',
      MEDIASOUP_WORKER_BIN: inject('workerBin'),
      WEB_HANDLER,
      LOG_LEVEL: 'info',
      CLOCK_INTERVAL_MS: '0',
      AUTH_ATTEMPTS_PER_MINUTE: String(ATTEMPTS),
    };
    // One node serving clients directly, one behind a proxy that writes x-forwarded-for.
    direct = await startNode(env);
    proxied = await startNode({ ...env, ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([stop(direct), stop(proxied)]);
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });

  describe('starting', () => {
    it('refuses to start without ORIGIN', async () => {
      const result = await run(['signaling/src/main.ts'], { ...env, ORIGIN: '' });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/ORIGIN: required when NODE_ENV=production/);
    });

    it('refuses SEED_DEMO=true with a clear error', async () => {
      const result = await run(['signaling/src/main.ts'], { ...env, SEED_DEMO: 'true' });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/SEED_DEMO: refused when NODE_ENV=production/);
      expect(result.stdout + result.stderr).not.toContain(DEMO_PASSWORD);
    });

    it('seeds no demo accounts into an empty database and prints no password', async () => {
      const db = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      try {
        const [row] = await db`select count(*)::int as count from users`;
        expect(row?.count).toBe(0);
      } finally {
        await db.end();
      }
      expect(direct!.stdout.join('\n')).not.toContain(DEMO_PASSWORD);
      expect(direct!.stdout.join('\n')).not.toMatch(/Demo accounts/);
    });
  });

  describe('npm run create-admin', () => {
    const email = 'first.organizer@fair.example.test';
    const password = 'a long organizer passphrase';

    it('refuses a password shorter than sign-up allows, creating nothing', async () => {
      const result = await run(['signaling/src/create-admin.ts', '--email', email, '--name', 'First Organizer'], env, 'short\n');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/password: password_short/);
    });

    it('creates the first organizer with the password from stdin, who can then sign in', async () => {
      const result = await run(['signaling/src/create-admin.ts', '--email', email, '--name', 'First Organizer'], env, `${password}\n`);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Created organizer ${email}`);
      expect(result.stdout + result.stderr).not.toContain(password);

      const response = await signIn(proxied!, email, password, { headers: { 'x-forwarded-for': '198.51.100.10' } });
      expect(response.status).toBe(303);
      const cookies = response.headers.getSetCookie();
      const session = cookies.find((c) => c.includes('fg.session_token='));
      // ORIGIN is https: the session cookie is Secure (and __Secure- prefixed), HttpOnly, SameSite.
      expect(session).toMatch(/^__Secure-fg\.session_token=/);
      expect(session).toMatch(/;\s*Secure/i);
      expect(session).toMatch(/;\s*HttpOnly/i);
      expect(session).toMatch(/;\s*SameSite=Lax/i);
      const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
      const organizer = await fetch(`${proxied!.url}/organizer`, { headers: { cookie }, redirect: 'manual' });
      expect(organizer.status).toBe(200);
    });

    it('refuses an email that already has an account, with exit code 3', async () => {
      const result = await run(['signaling/src/create-admin.ts', '--email', email.toUpperCase()], env, 'another long passphrase\n');
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('already exists');
    });
  });

  describe('next= after sign-in goes only to same-site paths', () => {
    const email = 'next.organizer@fair.example.test';
    const password = 'another organizer passphrase';
    let cookie = '';

    beforeAll(async () => {
      const made = await run(['signaling/src/create-admin.ts', '--email', email, '--name', 'Next Organizer'], env, `${password}\n`);
      expect(made.code).toBe(0);
      const response = await signIn(proxied!, email, password, { headers: { 'x-forwarded-for': '198.51.100.11' } });
      cookie = response.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
    });

    const hostile = [
      '//evil.com',
      'https://evil.com',
      'javascript:alert(1)',
      '/\\evil.com',
      '\\\\evil.com',
      '/%2F%2Fevil.com',
      '%2f%5cevil.com',
      '/\t/evil.com',
      '/\r/evil.com',
      '/\n/evil.com',
      '/\u0000/evil.com',
      '/.//evil.com',
    ];

    it.each(hostile)('a signed-in visit to /sign-in?next=%j lands on /', async (next) => {
      const response = await fetch(`${proxied!.url}/sign-in?next=${encodeURIComponent(next)}`, { headers: { cookie }, redirect: 'manual' });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/');
    });

    it('an ordinary path with a query string still works', async () => {
      const response = await fetch(`${proxied!.url}/sign-in?next=${encodeURIComponent('/organizer?tab=fairs&x=1')}`, {
        headers: { cookie },
        redirect: 'manual',
      });
      expect(response.headers.get('location')).toBe('/organizer?tab=fairs&x=1');
    });

    it('the sign-in form itself redirects a hostile next to /', async () => {
      const response = await signIn(proxied!, email, password, { next: '/\\evil.com', headers: { 'x-forwarded-for': '198.51.100.12' } });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/');
    });
  });

  describe('headers', () => {
    it('pages carry a nonce CSP without unsafe-eval, and the framing, referrer, sniffing, permission and HSTS headers', async () => {
      const response = await fetch(`${direct!.url}/sign-in`);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      const directives = Object.fromEntries(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([k, ...v]) => [k, v]),
      ) as Record<string, string[]>;
      expect(directives['script-src']).toContain("'self'");
      expect(directives['script-src']!.some((s) => /^'nonce-[A-Za-z0-9+/=_-]+'$/.test(s))).toBe(true);
      expect(csp).not.toContain('unsafe-eval');
      expect(directives['script-src']).not.toContain("'unsafe-inline'");
      expect(directives['frame-ancestors']).toEqual(["'none'"]);
      expect(directives['connect-src']).toEqual(["'self'"]);
      expect(directives['img-src']).toEqual(["'self'", 'data:', 'blob:']);
      expect(directives['media-src']).toEqual(["'self'", 'blob:']);
      const html = await response.text();
      const nonce = directives['script-src']!.find((s) => s.startsWith("'nonce-"))!.slice(7, -1);
      // Every inline script the page has carries the nonce.
      for (const tag of html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
      expectCommonHeaders(response.headers);
    });

    it.each(['/healthz', '/metrics'])('%s carries them too', async (path) => {
      const response = await fetch(`${direct!.url}${path}`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(response.status).toBe(200);
      expectCommonHeaders(response.headers);
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    });

    function expectCommonHeaders(headers: Headers) {
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(headers.get('permissions-policy')).toContain('camera=(self), microphone=(self), display-capture=(self)');
      expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
      expect(headers.get('x-powered-by')).toBeNull();
    }
  });

  describe('/metrics', () => {
    it('answers 401 without the bearer token, or with a wrong one', async () => {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Bearer wrong' },
        { authorization: `Bearer ${METRICS_TOKEN}x` },
        { authorization: METRICS_TOKEN },
      ]) {
        const response = await fetch(`${direct!.url}/metrics`, { headers });
        expect(response.status).toBe(401);
        expect(await response.text()).not.toContain('fairground_');
      }
    });

    it('serves the metrics with the token', async () => {
      const response = await fetch(`${direct!.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('fairground_sockets');
    });
  });

  describe('sign-in rate limits key on the real client address', () => {
    it('a forged X-Forwarded-For does not dodge the limit when ADDRESS_HEADER is unset', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < ATTEMPTS + 2; i++) {
        const response = await signIn(direct!, 'forged@fair.example.test', 'wrong password', { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } });
        statuses.push(response.status);
      }
      expect(statuses.slice(0, ATTEMPTS).every((s) => s === 400)).toBe(true);
      expect(statuses.slice(ATTEMPTS)).toEqual([429, 429]);
    });

    it('behind a configured proxy, two clients are told apart', async () => {
      // One account per client, so only the per-address limit is in play (accounts have their own).
      const attempt = (address: string) =>
        signIn(proxied!, `nobody-${address}@fair.example.test`, 'wrong password', { headers: { 'x-forwarded-for': `6.6.6.6, ${address}` } }).then(
          (r) => r.status,
        );
      const first: number[] = [];
      for (let i = 0; i < ATTEMPTS + 1; i++) first.push(await attempt('192.0.2.1'));
      expect(first.at(-1)).toBe(429);
      // Another client behind the same proxy still gets an answer, not the first one's limit.
      expect(await attempt('192.0.2.2')).toBe(400);
    });
  });
});
