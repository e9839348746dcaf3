// `npm run stack`: the production shape on this machine without Docker (scripts/stack-lib.mjs):
// Caddy (https on loopback with its local CA, sticky load balancing), coturn (TURN with
// time-limited credentials) and two app nodes on the machine's Postgres and Redis. Ctrl-C stops it all.
//   STACK_NODES=3 STACK_HTTPS_PORT=8443 DATABASE_URL=... REDIS_URL=... npm run stack
import { ensureSupportedNode } from './node-runtime.mjs';

// On a Node older than 22 this runs the script again under the pinned Node 24 (scripts/node-runtime.mjs).
await ensureSupportedNode();
const { default: postgres } = await import('postgres');
const { prepare } = await import('./prepare.mjs');
const { missingPackages, startStack } = await import('./stack-lib.mjs');

const log = (line) => process.stderr.write(`[stack] ${line}\n`);

const missing = missingPackages();
if (missing.length > 0) {
  log(`needs Debian's ${missing.join(' and ')}: sudo apt-get install ${missing.join(' ')}`);
  process.exit(1);
}

/** The machine's Postgres (as the tests use it), in a database of the stack's own unless DATABASE_URL names one. */
async function databaseUrl() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const admin = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select 1 as present from pg_database where datname = 'fairground_stack'`;
    if (!row) await sql.unsafe('create database fairground_stack');
  } finally {
    await sql.end();
  }
  const url = new URL(admin);
  url.pathname = '/fairground_stack';
  return url.toString();
}

// Ctrl-C (or SIGTERM) at any time: while starting, stop what is up; once running, stop it all.
const starting = new AbortController();
let stack = null;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    if (!stack) return starting.abort();
    void stack.stop().then(() => process.exit(0));
  });
}

const prepared = await prepare();
try {
  stack = await startStack({
    nodes: Number(process.env.STACK_NODES ?? 2),
    httpsPort: process.env.STACK_HTTPS_PORT ? Number(process.env.STACK_HTTPS_PORT) : 8443,
    databaseUrl: await databaseUrl(),
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    workerBin: prepared.MEDIASOUP_WORKER_BIN,
    webHandler: prepared.WEB_HANDLER,
    env: { REDIS_PREFIX: process.env.REDIS_PREFIX ?? 'fgstack', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    log,
    signal: starting.signal,
  });
} catch (error) {
  log(stopping ? 'stopped' : `failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(stopping ? 130 : 1);
}
process.stdout.write(
  `\nFairground stack: ${stack.url}\n` +
    `  (Caddy's local CA signs it: accept the warning, or trust ${stack.dir}/caddy/pki/authorities/local/root.crt)\n` +
    `  nodes: ${stack.nodes.map((n) => n.url).join(', ')}\n  TURN: ${stack.turnUrls.join(', ')}\n` +
    `  (turns: is self-signed: start Chromium with --ignore-certificate-errors-spki-list=${stack.turnTlsSpki} to relay over TLS)\n` +
    `Ctrl-C stops everything.\n\n`,
);
