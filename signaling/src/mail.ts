import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer, MailMessage } from '@fairground/core';
import type { Config } from './config.ts';
import { getLogger } from './logger.ts';

/**
 * The platform's mail transport: SMTP through nodemailer when SMTP_URL is set (production
 * requires it), else a local capture, one JSON file per message under MAIL_CAPTURE_DIR, which
 * developers open and tests read (e2e/tests/fixtures.ts, test/helpers.ts).
 */
export function createMailer(config: Config): Mailer & { close(): void } {
  const log = getLogger('signaling:mail');
  if (config.SMTP_URL) {
    const transport = nodemailer.createTransport(config.SMTP_URL);
    return {
      async send(message: MailMessage) {
        await transport.sendMail({
          from: config.MAIL_FROM,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.attachments
            ? { attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })) }
            : {}),
        });
      },
      close: () => transport.close(),
    };
  }
  const dir = config.MAIL_CAPTURE_DIR ?? join(config.DATA_DIR, 'mail');
  mkdirSync(dir, { recursive: true });
  log.info({ dir }, 'no SMTP_URL: mail is captured as files');
  return {
    async send(message: MailMessage) {
      const at = new Date();
      // Sortable by time; the random part keeps messages of one millisecond apart.
      const file = join(dir, `${at.toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.json`);
      writeFileSync(file, JSON.stringify({ from: config.MAIL_FROM, ...message, date: at.toISOString() }, null, 2));
    },
    close: () => {},
  };
}
