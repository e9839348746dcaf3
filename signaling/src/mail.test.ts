// The SMTP path of the mailer (production requires SMTP_URL), against a minimal SMTP server on
// loopback: the message nodemailer hands over is the one the platform asked to send.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from './config.ts';
import { createMailer } from './mail.ts';

interface Received {
  from: string;
  to: string[];
  data: string;
}

const REPLIES: Record<string, string> = {
  EHLO: '250 localhost',
  HELO: '250 localhost',
  MAIL: '250 OK',
  RCPT: '250 OK',
  DATA: '354 go on',
  QUIT: '221 bye',
  RSET: '250 OK',
  NOOP: '250 OK',
};

/** Just enough of RFC 5321 for one plain (no TLS, no auth) submission per connection. */
function startSmtp(): Promise<{ server: Server; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((socket: Socket) => {
    let buffer = '';
    let inData = false;
    let current: Received = { from: '', to: [], data: '' };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 localhost ESMTP test');
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          received.push(current);
          current = { from: '', to: [], data: '' };
          reply('250 OK queued');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'MAIL') current.from = line.slice(10).trim();
        if (verb === 'RCPT') current.to.push(line.slice(8).trim());
        if (verb === 'DATA') inData = true;
        reply(REPLIES[verb] ?? '502 not here');
        if (verb === 'QUIT') socket.end();
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, received })));
}

describe('mail over SMTP', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(() => new Promise<void>((resolve) => smtp.server.close(() => resolve())));

  it('hands the message to the SMTP server named by SMTP_URL, UTF-8 subject and body intact', async () => {
    const config = { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Fairground <no-reply@fair.example.org>' } as Config;
    const mailer = createMailer(config);
    try {
      await mailer.send({
        to: 'seeker@example.com',
        subject: '确认你的邮箱 / Confirm your email',
        text: 'Open https://fair.example.org/confirm?t=abc 以确认。',
      });
    } finally {
      mailer.close();
    }
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.from).toBe('<no-reply@fair.example.org>');
    expect(mail!.to).toEqual(['<seeker@example.com>']);
    const headers = mail!.data.slice(0, mail!.data.indexOf('\r\n\r\n'));
    // Non-ASCII headers are MIME-encoded words; decode the subject back.
    const subject = /^Subject: (.*(?:\r\n .*)*)/m.exec(headers)![1]!.replace(/\r\n /g, ' ');
    const decoded = subject.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeURIComponent(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, '%$1')),
    );
    expect(decoded.trim()).toBe('确认你的邮箱 / Confirm your email');
    expect(headers).toMatch(/^To: seeker@example\.com$/m);
  });
});
