// `npm test` needs a real Postgres and Redis (the tests run on real services, not fakes) and a
// Chromium for Playwright. This checks they are there before anything else runs, so a machine without them gets one clear
// message on how to start them instead of a failure deep inside a test. `npm start` never needs
// either (PGlite and in-process presence are its defaults).
import { existsSync } from 'node:fs';
import net from 'node:net';

const POSTGRES = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url, defaultPort, timeoutMs = 3000) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || defaultPort) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function howToStart(platform = process.platform) {
  const lines = ['  - with Docker: `docker compose -f docker-compose.test-services.yml up -d` (Postgres and Redis on 127.0.0.1, trust auth)'];
  if (platform === 'darwin')
    lines.push(
      '  - with Homebrew: `brew install postgresql@16 redis && brew services start postgresql@16 && brew services start redis`, then `createuser -s postgres`',
    );
  else if (platform === 'linux')
    lines.push(
      '  - on Debian or Ubuntu: `sudo apt-get install postgresql redis-server` (trust auth for 127.0.0.1 in pg_hba.conf, or a password in TEST_POSTGRES_ADMIN_URL)',
    );
  lines.push('  - elsewhere: point TEST_POSTGRES_ADMIN_URL (a superuser URL; each run makes its own database) and TEST_REDIS_URL at servers you have');
  return lines.join('\n');
}

/** Playwright drives the system's Chromium (it never downloads a browser of its own). */
function browserProblem(platform = process.platform) {
  const bin = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(bin)) return null;
  const how =
    platform === 'darwin'
      ? 'set CHROMIUM_PATH to Chrome or Chromium, e.g. CHROMIUM_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"'
      : 'install it (`sudo apt-get install chromium` on Debian; `chromium-browser` or Chrome elsewhere) or set CHROMIUM_PATH to it';
  return `The browser tests need Chromium at ${bin}: ${how}.`;
}

/**
 * Resolves to null when everything is there, or to the message that says what is missing.
 * `browser: false` for vitest alone, which needs no browser.
 */
export async function checkServices({ browser: withBrowser = true } = {}) {
  const [pg, redis] = await Promise.all([reachable(POSTGRES, 5432), reachable(REDIS, 6379)]);
  const problems = [];
  if (!pg || !redis) {
    const missing = [!pg && `Postgres at ${new URL(POSTGRES).host}`, !redis && `Redis at ${new URL(REDIS).host}`].filter(Boolean);
    problems.push(`npm test runs on a real Postgres and Redis, and cannot reach ${missing.join(' or ')}. Start them:\n${howToStart()}`);
  }
  const browser = withBrowser ? browserProblem() : null;
  if (browser) problems.push(browser);
  return problems.length ? problems.join('\n') : null;
}
