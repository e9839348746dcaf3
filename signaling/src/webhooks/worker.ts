import type { AddressPolicy, Services } from '@fairground/core';
import type { Logger } from 'pino';
import { sendWebhook } from './send.ts';

/** Deliveries one node sends at once (each to a different endpoint or subject). */
const BATCH = 16;

export interface WebhookWorker {
  stop(): Promise<void>;
}

/**
 * The delivery loop of one node: fan new outbox events out to their endpoints, claim what is
 * due, send, log the attempt. Every node may run one; they share the work through the database
 * (core/src/webhook-deliveries.ts). Runs until stopped; an error in one round is logged and the
 * next round tries again.
 */
export function startWebhookWorker(options: {
  services: Pick<Services, 'webhooks' | 'webhookDeliveries'>;
  policy: AddressPolicy;
  pollMs: number;
  timeoutMs: number;
  log: Logger;
}): WebhookWorker {
  const { services, policy, log } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const round = async () => {
    await services.webhookDeliveries.fanOut();
    for (;;) {
      const claimed = await services.webhookDeliveries.claim(BATCH);
      await Promise.all(
        claimed.map(async (delivery) => {
          const result = await sendWebhook(delivery, policy, options.timeoutMs);
          const { paused } = await services.webhookDeliveries.complete(delivery, result);
          if (!result.ok)
            log.info(
              { endpointId: delivery.endpointId, deliveryId: delivery.deliveryId, attempt: delivery.attempt, error: result.error },
              'webhook attempt failed',
            );
          if (paused) {
            log.warn({ endpointId: delivery.endpointId }, 'webhook endpoint paused after repeated failures');
            await services.webhooks.notifyPaused(delivery.endpointId);
          }
        }),
      );
      if (stopped || claimed.length < BATCH) return;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round()
        .catch((err: unknown) => log.warn({ err }, 'webhook round failed'))
        .finally(schedule);
    }, options.pollMs);
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
