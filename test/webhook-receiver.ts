import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** What the receiver answered: a status, or 'hang' (never answered). */
  answered: number | 'hang';
}

/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests: records every request, answers what
 * `respond` says (a status, or 'hang' to keep the request open), and verifies signatures with the
 * `standardwebhooks` reference library (not the platform's own code).
 */
export async function startReceiver(respond: (n: number, req: IncomingMessage) => number | 'hang' = () => 200) {
  const received: ReceivedWebhook[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const answered = respond(received.length + 1, req);
      received.push({
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body,
        payload: JSON.parse(body) as ReceivedWebhook['payload'],
        answered,
      });
      if (answered === 'hang') hanging.add(res);
      else res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Each event once, by its webhook-id, in the order first seen: what a deduplicating receiver keeps. */
    deduplicated(): ReceivedWebhook[] {
      const seen = new Map<string, ReceivedWebhook>();
      for (const r of received) if (r.answered !== 'hang' && r.answered < 300 && !seen.has(r.id)) seen.set(r.id, r);
      return [...seen.values()];
    },
    verify(secret: string, r: ReceivedWebhook): unknown {
      return new Webhook(secret).verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature });
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
