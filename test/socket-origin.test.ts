import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { startPlatform } from './helpers.ts';

type Started = Awaited<ReturnType<typeof startPlatform>>;

/** Resolves 'connected' or the handshake's refusal message. */
function handshake(url: string, headers: Record<string, string>, transport: 'websocket' | 'polling'): Promise<string> {
  const socket = connectClient(url, { transports: [transport], forceNew: true, reconnection: false, extraHeaders: headers });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.once('connect_error', (error) => {
      socket.disconnect();
      resolve(`refused: ${error.message}`);
    });
  });
}

describe('socket handshakes are accepted only from the configured origins', () => {
  let started: Started;
  beforeAll(async () => {
    started = await startPlatform({
      env: { ORIGIN: 'https://fair.example.org', ALLOWED_ORIGINS: 'https://kiosk.example.org' },
    });
  });
  afterAll(async () => {
    await started?.platform.close();
  });

  for (const transport of ['websocket', 'polling'] as const) {
    it(`refuses another site's page over ${transport}`, async () => {
      expect(await handshake(started.url, { origin: 'https://evil.example' }, transport)).toMatch(/^refused/);
      expect(await handshake(started.url, { origin: 'https://fair.example.org.evil.example' }, transport)).toMatch(/^refused/);
      expect(await handshake(started.url, { origin: 'http://fair.example.org' }, transport)).toMatch(/^refused/);
      expect(await handshake(started.url, { origin: 'null' }, transport)).toMatch(/^refused/);
    });

    it(`accepts ORIGIN and ALLOWED_ORIGINS over ${transport}`, async () => {
      expect(await handshake(started.url, { origin: 'https://fair.example.org' }, transport)).toBe('connected');
      expect(await handshake(started.url, { origin: 'https://kiosk.example.org' }, transport)).toBe('connected');
    });
  }

  it('accepts a client that sends no Origin (not a browser: it carries no victim cookies)', async () => {
    expect(await handshake(started.url, {}, 'websocket')).toBe('connected');
  });

  it('without ORIGIN (development) accepts only the host the page came from', async () => {
    const dev = await startPlatform();
    try {
      const host = new URL(dev.url).host;
      expect(await handshake(dev.url, { origin: `http://${host}` }, 'websocket')).toBe('connected');
      expect(await handshake(dev.url, { origin: 'https://evil.example' }, 'websocket')).toMatch(/^refused/);
    } finally {
      await dev.platform.close();
    }
  });
});
