import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveWebhookTarget, webhookHeaders, WebhookAddressError, type AddressPolicy, type AttemptResult, type ClaimedDelivery } from '@fairground/core';

/** What of a receiver's answer is read (and thrown away): enough to see it finished. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One attempt: the URL's name is resolved and checked (core/src/webhook-address.ts) and the
 * request connects to exactly that address, with the name kept for TLS and Host. Redirects are
 * not followed (a 3xx is a failure), so a receiver cannot bounce the request into our network.
 */
export async function sendWebhook(delivery: ClaimedDelivery, policy: AddressPolicy, timeoutMs: number): Promise<AttemptResult> {
  const started = performance.now();
  const done = (r: Omit<AttemptResult, 'durationMs'>): AttemptResult => ({ ...r, durationMs: performance.now() - started });
  let target: Awaited<ReturnType<typeof resolveWebhookTarget>>;
  try {
    target = await resolveWebhookTarget(delivery.url, policy);
  } catch (error) {
    return done({ ok: false, statusCode: null, error: error instanceof WebhookAddressError ? error.reason : 'UNRESOLVABLE' });
  }
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Fairground-Webhooks/1',
    ...webhookHeaders(delivery.secrets, delivery.messageId, delivery.body),
  };
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<AttemptResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve(done(r));
    };
    const req = request(target.url, { method: 'POST', headers, lookup: pinned, timeout: timeoutMs, agent: false }, (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      const status = res.statusCode ?? 0;
      const answer = () => finish({ ok: status >= 200 && status < 300, statusCode: status, error: status >= 200 && status < 300 ? null : `HTTP ${status}` });
      res.on('end', answer);
      res.on('close', answer);
      res.on('error', answer);
    });
    req.on('timeout', () => req.destroy(new Error('TIMEOUT')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, statusCode: null, error: error.message === 'TIMEOUT' ? 'TIMEOUT' : (error.code ?? 'NETWORK') }),
    );
    req.end(delivery.body);
  });
}
