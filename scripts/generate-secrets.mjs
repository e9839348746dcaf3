// Writes the .env docker-compose.yml reads: fresh random secrets and the addresses to fill in.
//   node scripts/generate-secrets.mjs --domain fair.example.org --ip 203.0.113.7 [--out .env] [--force]
// Without --domain it is for trying on this machine (https://localhost, Caddy's local CA). It never
// overwrites an existing file without --force: new secrets sign everyone out and lock the database
// password out of an existing Postgres volume.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** URL- and shell-safe random text (base64url), `bytes` of entropy. */
export const secret = (bytes = 32) => randomBytes(bytes).toString('base64url');

export function envFile({ domain = 'localhost', ip = '127.0.0.1', smtpUrl = '' } = {}) {
  return `# Written by scripts/generate-secrets.mjs on ${new Date().toISOString()}. Keep it private (mode 600).
# Changing AUTH_SECRET signs everyone out; POSTGRES_PASSWORD only applies to a new Postgres volume.
SITE_ADDRESS=${domain}
ORIGIN=https://${domain}
# The host's public IP: browsers send media to the nodes and to coturn here.
MEDIA_ANNOUNCED_IP=${ip}
TURN_HOST=${domain === 'localhost' ? ip : domain}
AUTH_SECRET=${secret()}
METRICS_TOKEN=${secret(24)}
TURN_SECRET=${secret()}
POSTGRES_PASSWORD=${secret(24)}
# MinIO (the replays' bucket): its root user, which the app nodes use.
MINIO_ROOT_USER=fairground
MINIO_ROOT_PASSWORD=${secret(24)}
# Grafana's admin (the \`monitoring\` profile; user admin).
GRAFANA_ADMIN_PASSWORD=${secret(24)}
# Required in production: verification, password-reset and invitation mail go out through it.
SMTP_URL=${smtpUrl}
MAIL_FROM=Fairground <no-reply@${domain}>
`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      domain: { type: 'string' },
      ip: { type: 'string' },
      smtp: { type: 'string' },
      out: { type: 'string', default: path.join(ROOT, '.env') },
      force: { type: 'boolean', default: false },
    },
  });
  if (existsSync(values.out) && !values.force) {
    process.stderr.write(`${values.out} exists; not overwriting it (--force replaces every secret in it)\n`);
    process.exit(1);
  }
  writeFileSync(values.out, envFile({ domain: values.domain, ip: values.ip, smtpUrl: values.smtp }), { mode: 0o600 });
  process.stdout.write(`wrote ${values.out}${values.smtp ? '' : ' (fill in SMTP_URL before `docker compose up`)'}\n`);
}
