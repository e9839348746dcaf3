import type { AuthMail } from '@fairground/db';

/**
 * Outgoing mail. Core composes messages; the transport (SMTP through nodemailer, or a local
 * capture in development and tests) is the platform's, behind this interface.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Files sent with the message (a booked slot's .ics invite). */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  /** Text content (UTF-8). */
  content: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Drops every message: for code paths that run without a platform (scripts, unit tests). */
export const noMail: Mailer = { send: async () => {} };

type Lang = 'zh' | 'en';
export type MailLanguage = Lang;
/** The recipient's language: their saved locale, else Chinese (the site's default). */
export const mailLanguage = (locale: string | null | undefined): Lang => (locale && locale.startsWith('en') ? 'en' : 'zh');

const sign = { zh: '—— Fairground 招聘会', en: '— Fairground' };
const body = (lang: Lang, lines: string[]) => [...lines, '', sign[lang]].join('\n');

/** The messages the platform sends, in the recipient's language. Links are absolute. */
export const mailTemplates = {
  verifyEmail(lang: Lang, to: string, link: string): MailMessage {
    return lang === 'zh'
      ? {
          to,
          subject: '请确认你的邮箱',
          text: body(lang, ['请打开下面的链接确认你的邮箱并登录：', link, '', '链接 24 小时内有效，只能使用一次。如果不是你本人注册，请忽略这封邮件。']),
        }
      : {
          to,
          subject: 'Confirm your email',
          text: body(lang, [
            'Open this link to confirm your email and sign in:',
            link,
            '',
            'The link works once, within 24 hours. If you did not sign up, ignore this mail.',
          ]),
        };
  },
  existingSignUp(lang: Lang, to: string, signInLink: string, resetLink: string): MailMessage {
    return lang === 'zh'
      ? {
          to,
          subject: '有人尝试用你的邮箱注册',
          text: body(lang, [
            '有人尝试用这个邮箱注册 Fairground，但你已经有账号了，没有创建新账号。',
            `登录：${signInLink}`,
            `忘记密码：${resetLink}`,
            '',
            '如果不是你本人操作，无需处理。',
          ]),
        }
      : {
          to,
          subject: 'Someone tried to sign up with your email',
          text: body(lang, [
            'Someone tried to sign up to Fairground with this address. You already have an account, so none was created.',
            `Sign in: ${signInLink}`,
            `Forgot your password: ${resetLink}`,
            '',
            'If this was not you, there is nothing to do.',
          ]),
        };
  },
  resetPassword(lang: Lang, to: string, link: string): MailMessage {
    return lang === 'zh'
      ? {
          to,
          subject: '重置你的密码',
          text: body(lang, [
            '请打开下面的链接设置新密码：',
            link,
            '',
            '链接 1 小时内有效，只能使用一次；重置后你在所有设备上都会退出登录。如果不是你本人申请，请忽略这封邮件。',
          ]),
        }
      : {
          to,
          subject: 'Reset your password',
          text: body(lang, [
            'Open this link to choose a new password:',
            link,
            '',
            'The link works once, within an hour; resetting signs you out on every device. If you did not ask for this, ignore this mail.',
          ]),
        };
  },
  teamInvitation(lang: Lang, to: string, employerName: string, link: string): MailMessage {
    return lang === 'zh'
      ? {
          to,
          subject: `${employerName} 邀请你加入招聘团队`,
          text: body(lang, [`${employerName} 邀请你作为招聘官加入团队。打开链接接受邀请：`, link, '', '链接 7 天内有效，只能使用一次。']),
        }
      : {
          to,
          subject: `${employerName} invites you to their hiring team`,
          text: body(lang, [
            `${employerName} invites you to join their team as a recruiter. Open this link to accept:`,
            link,
            '',
            'The link works once, within 7 days.',
          ]),
        };
  },
  hostInvitation(lang: Lang, to: string, broadcastTitle: string, link: string): MailMessage {
    return lang === 'zh'
      ? {
          to,
          subject: `邀请你主讲直播「${broadcastTitle}」`,
          text: body(lang, [`你被邀请担任直播「${broadcastTitle}」的联合主讲人。打开链接接受邀请：`, link, '', '链接 7 天内有效，只能使用一次。']),
        }
      : {
          to,
          subject: `You are invited to co-host “${broadcastTitle}”`,
          text: body(lang, [
            `You are invited to co-host the broadcast “${broadcastTitle}”. Open this link to accept:`,
            link,
            '',
            'The link works once, within 7 days.',
          ]),
        };
  },
};

/** The account mails better-auth asks for (db/src/auth.ts), with links to this site's pages. */
export function accountMail(mailer: Mailer, origin: string): AuthMail {
  const link = (path: string, token: string) => `${origin}${path}?token=${encodeURIComponent(token)}`;
  return {
    verification: (user, token) => mailer.send(mailTemplates.verifyEmail(mailLanguage(user.locale), user.email, link('/verify-email', token))),
    passwordReset: (user, token) => mailer.send(mailTemplates.resetPassword(mailLanguage(user.locale), user.email, link('/reset-password', token))),
    existingSignUp: (user) =>
      mailer.send(mailTemplates.existingSignUp(mailLanguage(user.locale), user.email, `${origin}/sign-in`, `${origin}/forgot-password`)),
  };
}
