import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures: HMAC-SHA256 over `<id>.<timestamp>.<body>` with the base64 key
 * after `whsec_`, sent as `v1,<base64>`; several space-separated while a rotated secret still
 * signs. Receivers verify with any Standard Webhooks library (the tests use `standardwebhooks`).
 */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The headers of one request: id (the idempotency key), timestamp and the signatures. */
export function webhookHeaders(secrets: string[], id: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signWebhook(s, id, timestamp, body)).join(' '),
  };
}

/** For the platform's own checks (tests use an independent library). */
export function verifyWebhook(secret: string, headers: Record<string, string>, body: string): boolean {
  const expected = Buffer.from(signWebhook(secret, headers['webhook-id']!, Number(headers['webhook-timestamp']), body));
  return (headers['webhook-signature'] ?? '').split(' ').some((sig) => {
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
