import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RequestHandler } from 'express';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '@fairground/demo';
import { ConfigError, loadConfig } from './config.ts';
import { configureLogging, getLogger } from './logger.ts';
import { createPlatform } from './server.ts';
import { createMediaNode } from './media-node.ts';

/** The process entry: read config, start everything, print where to go, stop cleanly on signals. */
async function main(): Promise<void> {
  const config = loadConfig();
  configureLogging(config.LOG_LEVEL);
  const log = getLogger('main');

  if (!config.NODE_ROLES.includes('signaling')) return runMediaNode(config);

  let webHandler: RequestHandler | undefined;
  if (config.WEB_HANDLER) {
    // adapter-node reads its own settings from the environment when loaded. Its CSRF check
    // compares a form's Origin with the site's origin, which it assumes is https unless told:
    // name ORIGIN when configured, else let it read the scheme from the header we set per request.
    if (config.ORIGIN) process.env.ORIGIN = config.ORIGIN;
    else process.env.PROTOCOL_HEADER = 'x-forwarded-proto';
    // Form posts carry uploads (resumes up to 2 MB, covers up to 3 MB; core/src/uploads.ts decides
    // the real limits and answers with a field error); adapter-node's own default is 512 KB.
    process.env.BODY_SIZE_LIMIT ??= '4M';
    ({ handler: webHandler } = (await import(pathToFileURL(resolve(config.WEB_HANDLER)).href)) as {
      handler: RequestHandler;
    });
  }

  const platform = await createPlatform(config, webHandler ? { webHandler } : {});
  const address = await platform.listen();
  const url = `http://localhost:${address.port}`;
  log.info({ port: address.port, database: platform.database.kind, redis: Boolean(config.REDIS_URL) }, 'listening');

  // Production refuses SEED_DEMO (config.ts); the published password is never printed there.
  if (config.SEED_DEMO && config.NODE_ENV !== 'production') {
    const lines = DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(10)} ${a.email}`).join('\n');
    process.stdout.write(`\nFairground is running at ${url}\nDemo accounts (password "${DEMO_PASSWORD}"):\n${lines}\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // SIGTERM (a rolling restart, an orchestrator) drains first; Ctrl-C in development stops at once.
    if (signal === 'SIGTERM') {
      const drained = await platform.drain(config.SHUTDOWN_DRAIN_MS);
      log.info(drained, 'drained');
    }
    await platform.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** NODE_ROLES=media: mediasoup workers answering signaling nodes over Redis; /healthz and /metrics only. */
async function runMediaNode(config: ReturnType<typeof loadConfig>): Promise<void> {
  const log = getLogger('main');
  const node = await createMediaNode(config);
  const address = await node.listen();
  log.info({ port: address.port, roles: config.NODE_ROLES, nodeId: node.nodeId }, 'listening');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Its rooms' peers are told to join again (on a live media node) before it stops (media-node.ts).
    log.info({ signal }, 'shutting down');
    await node.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`Fairground failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
