import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../../test/webhook-receiver.ts';
import { sendWebhook } from './send.ts';

describe('sendWebhook', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver((n) => (n === 1 ? 200 : 302));
  });
  afterAll(async () => {
    await receiver.close();
  });
  const delivery = (url: string) => ({
    deliveryId: 'd',
    endpointId: 'e',
    url,
    secrets: ['whsec_' + Buffer.from('k'.repeat(32)).toString('base64')],
    messageId: 'msg_1',
    body: '{"type":"queue.joined","timestamp":"2026-01-01T00:00:00.000Z","data":{}}',
    attempt: 1,
  });

  it('refuses a loopback receiver at send time unless private addresses are allowed (the name may have changed since registration)', async () => {
    const refused = await sendWebhook(delivery(receiver.url.replace('http:', 'https:')), { allowPrivate: false }, 1000);
    expect(refused).toMatchObject({ ok: false, statusCode: null, error: 'PRIVATE_ADDRESS' });
    expect(receiver.received).toHaveLength(0);
    const sent = await sendWebhook(delivery(receiver.url), { allowPrivate: true }, 1000);
    expect(sent).toMatchObject({ ok: true, statusCode: 200 });
    expect(receiver.verify(delivery(receiver.url).secrets[0]!, receiver.received[0]!)).toBeTruthy();
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    expect(await sendWebhook(delivery(receiver.url), { allowPrivate: true }, 1000)).toMatchObject({ ok: false, statusCode: 302 });
  });
});
