import { createServices, type InvitationMail, type Services } from '@fairground/core';
import type { Db } from '@fairground/db';
import type { Config } from '../config.ts';

/** Core's services with this deployment's numbers. */
export function servicesFromConfig(db: Db, config: Config, mail: InvitationMail): Services {
  return createServices(
    db,
    {
      acceptSeconds: config.QUEUE_ACCEPT_SECONDS,
      graceSeconds: config.QUEUE_GRACE_SECONDS,
      maxQueuesPerSeeker: 3,
      interviewMinutes: config.INTERVIEW_MINUTES,
    },
    undefined,
    {
      maxFilesPerUser: config.UPLOAD_MAX_FILES_PER_USER,
      maxBytesPerUser: config.UPLOAD_MAX_BYTES_PER_USER,
      perHour: config.UPLOADS_PER_HOUR,
    },
    mail,
    {
      address: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE },
      delivery: {
        retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
        maxAgeMs: 24 * 3600_000,
        leaseMs: config.WEBHOOK_LEASE_MS,
        pauseAfterFailures: config.WEBHOOK_PAUSE_AFTER_FAILURES,
      },
    },
  );
}
