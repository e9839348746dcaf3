import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_PASSWORD } from '@fairground/demo';

const root = new URL('..', import.meta.url).pathname;

interface Service {
  healthcheck?: { test: string[] };
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

// `docker compose` is not available on these machines: dclint checks the file against the
// compose schema and best practices, and the assertions check the shape the docs promise.
describe('docker-compose.yml', () => {
  it('passes dclint with no errors or warnings', () => {
    const output = execFileSync('npx', ['dclint', 'docker-compose.yml'], { cwd: root, encoding: 'utf8' });
    expect(output).not.toMatch(/warning|error/i);
  });

  it('has a test-services file whose Postgres and Redis are where npm test looks, on 127.0.0.1 only', () => {
    const output = execFileSync('npx', ['dclint', 'docker-compose.test-services.yml'], { cwd: root, encoding: 'utf8' });
    expect(output).not.toMatch(/warning|error/i);
    const compose = parse(readFileSync(`${root}/docker-compose.test-services.yml`, 'utf8')) as {
      services: Record<string, { ports: string[]; environment?: Record<string, string> }>;
    };
    expect(compose.services.postgres!.ports).toEqual(['127.0.0.1:5432:5432']);
    expect(compose.services.postgres!.environment).toMatchObject({ POSTGRES_HOST_AUTH_METHOD: 'trust' });
    expect(compose.services.redis!.ports).toEqual(['127.0.0.1:6379:6379']);
  });

  it('runs postgres, redis and the app with healthchecks and volumes', () => {
    const compose = parse(readFileSync(`${root}/docker-compose.yml`, 'utf8')) as {
      services: Record<string, Service>;
      volumes: Record<string, unknown>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'postgres', 'redis']);
    for (const service of Object.values(compose.services)) {
      expect(service.healthcheck?.test.length).toBeGreaterThan(0);
      expect(service.volumes?.length).toBeGreaterThan(0);
    }
    const app = compose.services.app!;
    expect(app.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(app.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(app.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(Object.keys(compose.volumes).sort()).toEqual(['app-data', 'postgres-data', 'redis-data']);
  });

  it('asks for no demo data, carries no demo password, and makes the operator set the secrets', () => {
    const text = readFileSync(`${root}/docker-compose.yml`, 'utf8');
    const app = (parse(text) as { services: Record<string, Service> }).services.app!;
    expect(app.environment?.NODE_ENV).toBe('production');
    expect(app.environment).not.toHaveProperty('SEED_DEMO');
    expect(text).not.toContain(DEMO_PASSWORD);
    // `${VAR:?message}`: compose refuses to start until the operator sets each one.
    for (const key of ['ORIGIN', 'AUTH_SECRET', 'METRICS_TOKEN']) {
      expect(app.environment?.[key], key).toMatch(new RegExp(`^\\$\\{${key}:\\?.+\\}$`));
    }
  });
});
