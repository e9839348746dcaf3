import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, configKeys, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives working defaults for the embedded setup', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.MEDIA_LISTEN_IP).toBe('127.0.0.1');
    expect(config.MEDIA_WORKERS).toBeGreaterThan(0);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('runs both roles by default, and splits them only with Redis (NODE_ROLES)', () => {
    expect(loadConfig({}).NODE_ROLES).toEqual(['signaling', 'media']);
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig({ ...redis, NODE_ROLES: 'media' }).NODE_ROLES).toEqual(['media']);
    expect(loadConfig({ ...redis, NODE_ROLES: ' signaling ' }).NODE_ROLES).toEqual(['signaling']);
    expect(loadConfig({ NODE_ROLES: 'media,signaling,media' }).NODE_ROLES).toEqual(['media', 'signaling']);
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.filter((p) => p.startsWith('NODE_ROLES'));
      }
    };
    // Split roles reach each other through Redis: without it a node could not serve media at all.
    expect(problems({ NODE_ROLES: 'signaling' })).toEqual([expect.stringMatching(/REDIS_URL/)]);
    expect(problems({ ...redis, NODE_ROLES: 'signaling,turn' })).toHaveLength(1);
    expect(problems({ ...redis, NODE_ROLES: ' , ' })).toEqual([expect.stringMatching(/names no role/)]);
    // Empty means "not set" (both roles) in development; production refuses it.
    expect(loadConfig({ NODE_ROLES: '' }).NODE_ROLES).toEqual(['signaling', 'media']);
    const production = {
      ...redis,
      NODE_ENV: 'production',
      AUTH_SECRET: 'p'.repeat(32),
      ORIGIN: 'https://fair.example.com',
      SMTP_URL: 'smtp://mail.example.com',
      METRICS_TOKEN: 'm'.repeat(24),
    };
    expect(loadConfig(production).NODE_ROLES).toEqual(['signaling', 'media']);
    expect(problems({ ...production, NODE_ROLES: '' })).toEqual([expect.stringMatching(/empty/)]);
    expect(problems({ ...production, NODE_ROLES: 'sfu' })).toHaveLength(1);
    // A media-only node has no pages, sessions or mail: it starts without their settings.
    expect(loadConfig({ ...redis, NODE_ENV: 'production', METRICS_TOKEN: 'm'.repeat(24), NODE_ROLES: 'media' }).NODE_ROLES).toEqual(['media']);
    expect(() => loadConfig({ ...redis, NODE_ENV: 'production', METRICS_TOKEN: 'm'.repeat(24), NODE_ROLES: 'signaling' })).toThrow(/SMTP_URL/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it('lists every bad key at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MEDIA_WORKERS: '0', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const keys = (error as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(keys.sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'MEDIA_WORKERS', 'PORT']);
    }
  });

  it('refuses to start in production without an SMTP server for mail', () => {
    const production = { NODE_ENV: 'production', AUTH_SECRET: 'p'.repeat(32), ORIGIN: 'https://fair.example.com' };
    try {
      loadConfig(production);
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems.some((p) => p.startsWith('SMTP_URL:'))).toBe(true);
    }
    expect(() => loadConfig({ ...production, SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
    const ok = (() => {
      try {
        return loadConfig({ ...production, SMTP_URL: 'smtps://user:pass@smtp.example.com:465' });
      } catch (error) {
        return (error as ConfigError).problems.filter((p) => p.startsWith('SMTP_URL'));
      }
    })();
    // Other production checks (from other areas) may still complain; SMTP_URL is satisfied.
    expect(Array.isArray(ok) ? ok : []).toEqual([]);
  });

  it('has every setting documented in .env.example', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(configKeys.filter((key) => !documented.has(key))).toEqual([]);
  });

  describe('in production', () => {
    const production = {
      NODE_ENV: 'production',
      AUTH_SECRET: 'x'.repeat(32),
      ORIGIN: 'https://fair.example.org',
      METRICS_TOKEN: 'm'.repeat(24),
      SMTP_URL: 'smtp://mail.example.org:587',
    };
    const problemKeys = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems.map((p) => p.split(':')[0]);
      }
    };

    it('seeds no demo data by default, and does elsewhere', () => {
      expect(loadConfig(production).SEED_DEMO).toBe(false);
      expect(loadConfig({}).SEED_DEMO).toBe(true);
      expect(loadConfig({ SEED_DEMO: 'false' }).SEED_DEMO).toBe(false);
    });

    it('refuses SEED_DEMO=true with a clear error', () => {
      expect(problemKeys({ ...production, SEED_DEMO: 'true' })).toEqual(['SEED_DEMO']);
      expect(() => loadConfig({ ...production, SEED_DEMO: 'true' })).toThrow(/SEED_DEMO: refused when NODE_ENV=production.*create-admin/);
    });

    it('requires ORIGIN and METRICS_TOKEN', () => {
      const { ORIGIN: _o, METRICS_TOKEN: _m, ...rest } = production;
      expect(problemKeys(rest).sort()).toEqual(['METRICS_TOKEN', 'ORIGIN']);
      expect(problemKeys({ ...production, METRICS_TOKEN: 'short' })).toEqual(['METRICS_TOKEN']);
    });
  });

  describe('TURN', () => {
    const keysOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.split(/[:.]/)[0]);
      }
    };
    const secret = 't'.repeat(32);

    it('reads TURN_URLS as a list, with a default credential lifetime of an hour', () => {
      const config = loadConfig({ TURN_URLS: 'turn:127.0.0.1:3478?transport=udp, turns:turn.example.org:443?transport=tcp', TURN_SECRET: secret });
      expect(config.TURN_URLS).toEqual(['turn:127.0.0.1:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp']);
      expect(config.TURN_TTL_SECONDS).toBe(3600);
      expect(config.ICE_TRANSPORT_POLICY).toBe('all');
      expect(loadConfig({ TURN_URLS: 'stun:stun.example.org:3478' }).TURN_URLS).toHaveLength(1);
    });

    it('refuses unsafe or useless combinations at start', () => {
      // A TURN server without credentials would be an open relay.
      expect(keysOf({ TURN_URLS: 'turn:127.0.0.1:3478' })).toEqual(['TURN_SECRET']);
      expect(keysOf({ TURN_URLS: 'turn:127.0.0.1:3478', TURN_SECRET: 'short' })).toEqual(['TURN_SECRET']);
      expect(keysOf({ TURN_SECRET: secret })).toEqual(['TURN_URLS']);
      expect(keysOf({ ICE_TRANSPORT_POLICY: 'relay' })).toEqual(['ICE_TRANSPORT_POLICY']);
      expect(keysOf({ TURN_URLS: 'http://turn.example.org' })).toEqual(['TURN_URLS']);
      const production = {
        NODE_ENV: 'production',
        AUTH_SECRET: secret,
        ORIGIN: 'https://fair.example.org',
        METRICS_TOKEN: 'm'.repeat(24),
        SMTP_URL: 'smtp://mail.example.org:587',
      };
      expect(keysOf({ ...production, TURN_URLS: 'turns:turn.example.org:443' })).toEqual(['TURN_SECRET']);
      expect(keysOf({ ...production, TURN_URLS: 'turns:turn.example.org:443', TURN_SECRET: secret })).toEqual(['TURN_SECRET']);
      expect(keysOf({ ...production, TURN_URLS: 'turns:turn.example.org:443', TURN_SECRET: 'u'.repeat(40) })).toEqual([]);
    });
  });

  it('reads ALLOWED_ORIGINS as a list of origins', () => {
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://a.example.org/, https://b.example.org:8443' }).ALLOWED_ORIGINS).toEqual([
      'https://a.example.org',
      'https://b.example.org:8443',
    ]);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'not a url' })).toThrow(ConfigError);
  });
});
