// The production shape on one machine without Docker, from Debian's packages and the project's own
// processes: Caddy (TLS with its local CA, load balancing with sticky cookies), coturn (TURN with
// time-limited credentials from a shared secret) and N app nodes sharing Postgres and Redis.
// Everything listens on 127.0.0.1 only. `npm run stack` (scripts/stack.mjs) is the user tool;
// test/stack.test.ts starts the same thing and drives a browser through it.
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './prepare.mjs';

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Debian package → the binary it provides; a missing one is named with how to install it. */
const BINARIES = { caddy: 'caddy', coturn: 'turnserver', openssl: 'openssl' };

export function missingPackages() {
  return Object.entries(BINARIES)
    .filter(([, bin]) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
    .map(([pkg]) => pkg);
}

function waitForExit(child) {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** Resolves once `ready(line)` holds for a line of stdout or stderr; rejects if the process exits first. */
function waitForLine(child, name, ready, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    const early = (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} while starting`));
    };
    child.once('exit', early);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (!ready(line)) return;
        clearTimeout(timer);
        child.off('exit', early);
        resolve();
      });
    }
  });
}

async function waitForHealthy(child, name, url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode} while starting`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Caddy in front of the nodes. `lb_policy cookie`: Socket.IO's long-polling must reach the node
 * holding its session (the WebSocket upgrade then stays on that connection); a node that fails
 * /healthz (a draining one, on SIGTERM) is out of rotation within a second, and a client whose
 * cookie names it is sent to a live one. `tls internal`: Caddy's own CA for localhost; for a real
 * domain, drop it and Caddy gets a certificate from Let's Encrypt itself.
 */
function caddyfile({ httpsPort, httpPort, nodePorts, dataDir }) {
  return `{
	admin off
	auto_https disable_redirects
	skip_install_trust
	local_certs
	http_port ${httpPort}
	https_port ${httpsPort}
	storage file_system {
		root ${dataDir}
	}
}

https://localhost:${httpsPort} {
	bind 127.0.0.1
	tls internal
	reverse_proxy ${nodePorts.map((p) => `127.0.0.1:${p}`).join(' ')} {
		lb_policy cookie fg_node
		lb_try_duration 5s
		health_uri /healthz
		health_interval 1s
		health_timeout 2s
	}
}
`;
}

/**
 * A self-signed certificate for coturn's TLS listener (TURN over TLS, what a firewall that lets
 * only TLS on TCP through leaves), made at start: Caddy's local CA issues only for its own sites.
 * Returns the files and the base64 SHA-256 of its public key: a browser is told to accept it with
 * Chromium's `--ignore-certificate-errors-spki-list` (WebRTC's TURN client does not see
 * Playwright's ignoreHTTPSErrors); a real deployment uses a certificate for the TURN host's name.
 */
function turnCertificate(dir) {
  const cert = path.join(dir, 'turn-cert.pem');
  const key = path.join(dir, 'turn-key.pem');
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl could not make coturn's certificate: ${result.stderr}`);
  const spki = new X509Certificate(readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' });
  return { cert, key, spki: createHash('sha256').update(spki).digest('base64') };
}

/**
 * coturn with the TURN REST API scheme (use-auth-secret): it checks the HMAC the app signs, no
 * user database. Loopback peers are allowed only because the media nodes are on 127.0.0.1 here;
 * a real deployment relays to the nodes' announced addresses and denies private ranges otherwise.
 * TURN over TLS on its own port (443 in a deployment for strict firewalls); no DTLS.
 */
function turnserverConf({ turnPort, tlsPort, cert, key, minPort, maxPort, secret, dir }) {
  return [
    `listening-ip=127.0.0.1`,
    `relay-ip=127.0.0.1`,
    `listening-port=${turnPort}`,
    `tls-listening-port=${tlsPort}`,
    `cert=${cert}`,
    `pkey=${key}`,
    `min-port=${minPort}`,
    `max-port=${maxPort}`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    'realm=fairground.localhost',
    'fingerprint',
    'no-cli',
    'no-dtls',
    'no-multicast-peers',
    'allow-loopback-peers',
    `userdb=${path.join(dir, 'turndb')}`,
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    'log-file=stdout',
    'simple-log',
    '',
  ].join('\n');
}

/**
 * Starts the stack. Options: nodes (2), httpsPort (free), databaseUrl, redisUrl, env (extra for the
 * nodes), workerBin and webHandler (from prepare()), log (line printer), quiet (drop node logs),
 * signal (an AbortSignal: aborting while starting stops what is up).
 * Returns { url, turnUrls, turnSecret, turnTlsSpki, nodes, stop() }.
 */
export async function startStack(options) {
  const missing = missingPackages();
  if (missing.length > 0) throw new Error(`The stack needs Debian's ${missing.join(' and ')}: apt-get install ${missing.join(' ')}`);
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(path.join(tmpdir(), 'fairground-stack-'));
  const children = [];
  const stack = { dir, nodes: [], url: '', turnUrls: [], turnSecret: '', turnTlsSpki: '', stop: async () => {} };
  let stopped = null;
  stack.stop = () => (stopped ??= stopAll());
  const stopAll = async () => {
    // All at once, as Ctrl-C in development stops a node (no drain: nobody is being moved);
    // SIGKILL for anything still up after 10 s.
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await waitForExit(child);
        clearTimeout(timer);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  // Ctrl-C while starting: stop what is up, start nothing more.
  const spawnChecked = (...args) => {
    if (options.signal?.aborted) throw new Error('stopped while starting');
    const child = spawn(...args);
    children.push(child);
    return child;
  };
  options.signal?.addEventListener('abort', () => void stack.stop(), { once: true });
  try {
    const httpsPort = options.httpsPort ?? (await freePort());
    const turnPort = await freePort();
    const turnTlsPort = await freePort();
    const minPort = 40_000 + Math.floor(Math.random() * 200) * 100;
    const turnSecret = options.turnSecret ?? randomBytes(32).toString('base64url');
    stack.url = `https://localhost:${httpsPort}`;
    stack.turnSecret = turnSecret;
    stack.turnUrls = [`turn:127.0.0.1:${turnPort}?transport=udp`, `turn:127.0.0.1:${turnPort}?transport=tcp`, `turns:127.0.0.1:${turnTlsPort}?transport=tcp`];

    // coturn
    const tls = turnCertificate(dir);
    stack.turnTlsSpki = tls.spki;
    const turnConf = path.join(dir, 'turnserver.conf');
    writeFileSync(
      turnConf,
      turnserverConf({ turnPort, tlsPort: turnTlsPort, cert: tls.cert, key: tls.key, minPort, maxPort: minPort + 99, secret: turnSecret, dir }),
      { mode: 0o600 },
    );
    const turn = spawnChecked('turnserver', ['-c', turnConf], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForLine(
      turn,
      'turnserver',
      (line) => /Total (UDP|General) servers/i.test(line) || /IPv4\. (UDP|TCP) listener opened on : 127\.0\.0\.1/.test(line),
      30_000,
    );
    log(`coturn on 127.0.0.1:${turnPort}, TLS on ${turnTlsPort} (relay ports ${minPort}-${minPort + 99})`);

    // App nodes, one after the other (the first applies migrations and, in development, seeds the demo).
    const nodePorts = [];
    const authSecret = options.env?.AUTH_SECRET ?? randomBytes(32).toString('base64url');
    for (let i = 0; i < (options.nodes ?? 2); i++) {
      const port = await freePort();
      const env = {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        ORIGIN: stack.url,
        DATABASE_URL: options.databaseUrl,
        REDIS_URL: options.redisUrl,
        AUTH_SECRET: authSecret,
        NODE_ID: `stack${i + 1}`,
        // Caddy adds one X-Forwarded-For entry: trust exactly that hop.
        ADDRESS_HEADER: 'x-forwarded-for',
        XFF_DEPTH: '1',
        TURN_URLS: stack.turnUrls.join(','),
        TURN_SECRET: turnSecret,
        MEDIA_WORKERS: '1',
        MEDIASOUP_WORKER_BIN: options.workerBin,
        WEB_HANDLER: options.webHandler,
        MAIL_CAPTURE_DIR: path.join(dir, 'mail'),
        ...options.env,
      };
      const child = spawnChecked(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
      const node = { index: i, port, url: `http://127.0.0.1:${port}`, child };
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!options.quiet) log(`[node ${i + 1}] ${line}`);
      });
      // Ready when it answers its health check (LOG_LEVEL may hide its 'listening' line).
      await waitForHealthy(child, `node ${i + 1}`, `${node.url}/healthz`, 120_000);
      stack.nodes.push(node);
      nodePorts.push(port);
      log(`node ${i + 1} on 127.0.0.1:${port}`);
    }

    // Caddy
    const caddyData = path.join(dir, 'caddy');
    mkdirSync(caddyData, { recursive: true });
    const caddyConf = path.join(dir, 'Caddyfile');
    writeFileSync(caddyConf, caddyfile({ httpsPort, httpPort: await freePort(), nodePorts, dataDir: caddyData }));
    const caddy = spawnChecked('caddy', ['run', '--config', caddyConf, '--adapter', 'caddyfile'], {
      // Caddy keeps its CA and config autosave under XDG dirs: this run's own folder.
      env: { ...process.env, XDG_DATA_HOME: caddyData, XDG_CONFIG_HOME: caddyData, HOME: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    caddy.stderr.on('data', () => {}); // Caddy logs to stderr; keep the pipe drained
    await waitForCaddy(stack.url, 60_000);
    log(`caddy on ${stack.url}`);
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Waits until Caddy answers /healthz over TLS (its local CA is not trusted here: not verified). */
function waitForCaddy(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const req = request(`${url}/healthz`, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else retry();
      });
      req.on('error', retry);
      req.on('timeout', () => req.destroy());
      req.end();
    };
    const retry = () => (Date.now() > deadline ? reject(new Error(`${url} did not answer within ${timeoutMs} ms`)) : setTimeout(attempt, 300));
    attempt();
  });
}
