import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_PASSWORD } from '@fairground/demo';
import { loadConfig } from '../signaling/src/config.ts';
import { envFile } from '../scripts/generate-secrets.mjs';

const root = new URL('..', import.meta.url).pathname;

interface Service {
  healthcheck?: { test: string[] };
  restart?: string;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  networks?: Record<string, { ipv4_address?: string } | null>;
  profiles?: string[];
  secrets?: string[];
  ports?: string[];
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

  // Merge keys (`<<: *app`): the app nodes and the migration step share one definition.
  const compose = () =>
    parse(readFileSync(`${root}/docker-compose.yml`, 'utf8'), { merge: true }) as {
      services: Record<string, Service>;
      volumes: Record<string, unknown>;
      networks: Record<string, { internal?: boolean; ipam?: { config: Array<{ subnet: string }> } } | null>;
      secrets: Record<string, { environment?: string; file?: string }>;
    };

  it('runs Caddy, two app nodes, coturn, Postgres, Redis and MinIO with healthchecks, restarts and volumes', () => {
    const { services, volumes } = compose();
    expect(Object.keys(services).sort()).toEqual(['app1', 'app2', 'caddy', 'coturn', 'grafana', 'migrate', 'minio', 'postgres', 'prometheus', 'redis']);
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') continue; // one-shot: runs to its end, nothing to keep
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(0);
      expect(service.volumes?.length, name).toBeGreaterThan(0);
      expect(service.restart, name).toBe('unless-stopped');
    }
    for (const name of ['app1', 'app2']) {
      const app = services[name]!;
      expect(app.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        minio: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      // Replays in MinIO's bucket, with MinIO's credentials from .env.
      expect(app.environment).toMatchObject({ S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true' });
      expect(app.environment?.S3_SECRET_ACCESS_KEY).toMatch(/^\$\{MINIO_ROOT_PASSWORD:\?.+\}$/);
      expect(app.environment?.DATABASE_URL).toMatch(/^postgres:\/\/fairground:\$\{POSTGRES_PASSWORD:\?.+\}@postgres:5432\//);
      expect(app.environment?.REDIS_URL).toBe('redis://redis:6379');
      expect(app.environment?.NODE_ID).toBe(name);
      expect(app.environment?.TURN_SECRET).toMatch(/^\$\{TURN_SECRET:\?.+\}$/);
    }
    // Each node announces its own media ports.
    expect(services.app1!.environment?.MEDIA_WEBRTC_PORT).not.toBe(services.app2!.environment?.MEDIA_WEBRTC_PORT);
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.migrate!.restart).toBe('no');
    expect(services.migrate!.command).toContain('signaling/src/migrate.ts');
    expect(services.caddy!.depends_on).toEqual({ app1: { condition: 'service_healthy' }, app2: { condition: 'service_healthy' } });
    // coturn checks the app's HMAC with the same secret (TURN REST API).
    expect(services.coturn!.command).toEqual(expect.arrayContaining(['--use-auth-secret', '--static-auth-secret=${TURN_SECRET:?set TURN_SECRET}']));
    expect(Object.keys(volumes).sort()).toEqual([
      'app1-data',
      'app2-data',
      'caddy-config',
      'caddy-data',
      'coturn-data',
      'grafana-data',
      'minio-data',
      'postgres-data',
      'prometheus-data',
      'redis-data',
    ]);
  });

  it('pipes media between the nodes over a private network, each node listening at its own fixed address there', () => {
    const { services, networks } = compose();
    expect(networks.nodes).toMatchObject({ internal: true, ipam: { config: [{ subnet: '172.30.0.0/24' }] } });
    const addresses = ['app1', 'app2'].map((name) => {
      const app = services[name]!;
      const address = app.networks?.nodes?.ipv4_address;
      expect(address, name).toMatch(/^172\.30\.0\.\d+$/);
      // mediasoup's pipe binds there and the other node connects to it (no announced address needed).
      expect(app.environment?.MEDIA_PIPE_LISTEN_IP, name).toBe(address);
      // Still on the default network: Caddy, Postgres and Redis are there.
      expect(Object.keys(app.networks!).sort(), name).toEqual(['default', 'nodes']);
      return address;
    });
    expect(new Set(addresses).size).toBe(2);
  });

  it('monitors with Prometheus and Grafana only when asked (a profile), the token handed over as a secret, the dashboard provisioned', () => {
    const { services, secrets } = compose();
    for (const name of ['prometheus', 'grafana']) expect(services[name]!.profiles, name).toEqual(['monitoring']);
    for (const [name, service] of Object.entries(services)) if (!['prometheus', 'grafana'].includes(name)) expect(service.profiles, name).toBeUndefined();
    // Prometheus scrapes every node directly with METRICS_TOKEN, which it reads from compose's secret file.
    expect(secrets.metrics_token).toEqual({ environment: 'METRICS_TOKEN' });
    expect(services.prometheus!.secrets).toEqual(['metrics_token']);
    const prometheus = parse(readFileSync(`${root}/deploy/prometheus/prometheus.yml`, 'utf8')) as {
      scrape_configs: Array<{ authorization: { credentials_file: string }; static_configs: Array<{ targets: string[] }> }>;
    };
    const [job] = prometheus.scrape_configs;
    expect(job!.authorization.credentials_file).toBe('/run/secrets/metrics_token');
    expect(job!.static_configs.flatMap((c) => c.targets).sort()).toEqual(['app1:3000', 'app2:3000']);
    expect(services.prometheus!.volumes).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    // Grafana: the compose Prometheus as its data source, the repo's dashboard where its provider looks.
    const grafana = services.grafana!;
    const datasources = parse(readFileSync(`${root}/deploy/grafana/provisioning/datasources/prometheus.yml`, 'utf8')) as {
      datasources: Array<{ type: string; url: string; isDefault: boolean }>;
    };
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true })]);
    const providers = parse(readFileSync(`${root}/deploy/grafana/provisioning/dashboards/fairground.yml`, 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(grafana.volumes).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(grafana.volumes).toContain(`./deploy/grafana/fairground.json:${providers.providers[0]!.options.path}/fairground.json:ro`);
    expect(grafana.environment?.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?.+\}$/);
    // Not open to the internet: loopback only.
    expect(grafana.ports).toEqual(['127.0.0.1:3001:3000']);
    expect(services.prometheus!.ports).toBeUndefined();
  });

  it('balances the nodes with a sticky cookie and a health check in Caddy', () => {
    const caddyfile = readFileSync(`${root}/deploy/Caddyfile`, 'utf8');
    expect(caddyfile).toMatch(/reverse_proxy app1:3000 app2:3000/);
    expect(caddyfile).toMatch(/lb_policy cookie/);
    expect(caddyfile).toMatch(/health_uri \/healthz/);
  });

  it('asks for no demo data, carries no demo password nor any secret, and makes the operator set them', () => {
    const text = readFileSync(`${root}/docker-compose.yml`, 'utf8');
    const { services } = compose();
    expect(text).not.toContain(DEMO_PASSWORD);
    for (const name of ['app1', 'app2', 'migrate']) {
      const app = services[name]!;
      expect(app.environment?.NODE_ENV).toBe('production');
      expect(app.environment).not.toHaveProperty('SEED_DEMO');
      // `${VAR:?message}`: compose refuses to start until the operator sets each one.
      for (const key of ['ORIGIN', 'AUTH_SECRET', 'METRICS_TOKEN', 'TURN_SECRET']) {
        expect(app.environment?.[key], key).toMatch(new RegExp(`^\\$\\{${key}:\\?.+\\}$`));
      }
    }
    expect(services.postgres!.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?.+\}$/);
    expect(services.minio!.environment?.MINIO_ROOT_PASSWORD).toMatch(/^\$\{MINIO_ROOT_PASSWORD:\?.+\}$/);
  });

  it('gets an .env from scripts/generate-secrets.mjs that production accepts, fresh secrets each time', () => {
    const read = (text: string) =>
      Object.fromEntries(
        text
          .split('\n')
          .filter((l) => /^[A-Z_]+=/.test(l))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    const env = read(envFile({ domain: 'fair.example.org', ip: '203.0.113.7', smtpUrl: 'smtps://u:p@smtp.example.org:465' }));
    const again = read(envFile());
    for (const key of ['AUTH_SECRET', 'METRICS_TOKEN', 'TURN_SECRET', 'POSTGRES_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', 'MINIO_ROOT_PASSWORD']) {
      expect(env[key], key).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(again[key], key).not.toBe(env[key]);
    }
    // What the compose file hands a node from it.
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: `postgres://fairground:${env.POSTGRES_PASSWORD}@postgres:5432/fairground`,
      ORIGIN: env.ORIGIN,
      AUTH_SECRET: env.AUTH_SECRET,
      METRICS_TOKEN: env.METRICS_TOKEN,
      SMTP_URL: env.SMTP_URL,
      TURN_URLS: `turn:${env.TURN_HOST}:3478?transport=udp,turn:${env.TURN_HOST}:3478?transport=tcp`,
      TURN_SECRET: env.TURN_SECRET,
      MEDIA_ANNOUNCED_IP: env.MEDIA_ANNOUNCED_IP,
      MEDIA_PIPE_LISTEN_IP: compose().services.app1!.environment!.MEDIA_PIPE_LISTEN_IP!,
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'fairground-recordings',
      S3_ACCESS_KEY_ID: env.MINIO_ROOT_USER,
      S3_SECRET_ACCESS_KEY: env.MINIO_ROOT_PASSWORD,
    });
    expect(config.S3_BUCKET).toBe('fairground-recordings');
    expect(config.ORIGIN).toBe('https://fair.example.org');
    expect(config.TURN_URLS).toHaveLength(2);
    expect(config.MEDIA_PIPE_LISTEN_IP).toBe('172.30.0.11');
  });
});
