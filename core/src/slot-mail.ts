import { createEvent } from 'ics';
import { mailLanguage, type MailMessage } from './mail.ts';

/** What a slot's mails and calendar file say: one booking, as both sides see it. */
export interface SlotMailFacts {
  bookingId: string;
  startsAt: Date;
  endsAt: Date;
  employerName: string;
  seekerName: string;
  recruiterName: string;
  /** The fair's time zone: mails name times in it (the .ics carries UTC, calendars convert). */
  timeZone: string;
  /** The booth page, absolute. */
  boothUrl: string;
  /** Bumped for every change of the same booking's calendar entry (RFC 5545 SEQUENCE). */
  sequence: number;
}

export type SlotMailKind = 'invite' | 'cancelled' | '24h' | '10m';

/**
 * The booking as an iCalendar file (RFC 5545) through the `ics` package: METHOD REQUEST for an
 * invite, CANCEL (same UID, higher SEQUENCE) when it is called off, so calendars update the entry.
 */
export function slotIcs(facts: SlotMailFacts, cancelled = false): string {
  const { error, value } = createEvent({
    uid: `${facts.bookingId}@fairground`,
    method: cancelled ? 'CANCEL' : 'REQUEST',
    status: cancelled ? 'CANCELLED' : 'CONFIRMED',
    sequence: facts.sequence,
    productId: 'fairground/slots',
    start: facts.startsAt.getTime(),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: facts.endsAt.getTime(),
    endInputType: 'utc',
    endOutputType: 'utc',
    title: `Interview · ${facts.employerName}`,
    description: `${facts.seekerName} ↔ ${facts.recruiterName}\n${facts.boothUrl}`,
    url: facts.boothUrl,
  });
  if (error || !value) throw error ?? new Error('ics produced nothing');
  return value;
}

function when(facts: SlotMailFacts, lang: 'zh' | 'en'): string {
  const fmt = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: facts.timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
  });
  const end = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: facts.timeZone, timeStyle: 'short' });
  return `${fmt.format(facts.startsAt)}–${end.format(facts.endsAt)} (${facts.timeZone})`;
}

/**
 * One slot mail to one side (`seeker`: the one who booked; `recruiter`: who interviews), in the
 * recipient's language, with the calendar file attached for invites and cancellations.
 */
export function slotMail(kind: SlotMailKind, side: 'seeker' | 'recruiter', to: { email: string; locale: string | null }, facts: SlotMailFacts): MailMessage {
  const lang = mailLanguage(to.locale);
  const time = when(facts, lang);
  const other = side === 'seeker' ? facts.employerName : facts.seekerName;
  const zh = lang === 'zh';
  const subjects: Record<SlotMailKind, string> = zh
    ? {
        invite: `面试预约：${other}`,
        cancelled: `面试预约已取消：${other}`,
        '24h': `明天面试提醒：${other}`,
        '10m': `面试 10 分钟后开始：${other}`,
      }
    : {
        invite: `Interview booked: ${other}`,
        cancelled: `Interview cancelled: ${other}`,
        '24h': `Reminder: interview with ${other} tomorrow`,
        '10m': `Your interview with ${other} starts in 10 minutes`,
      };
  const lead: Record<SlotMailKind, string> = zh
    ? {
        invite: side === 'seeker' ? `你已预约 ${facts.employerName} 的面试（面试官：${facts.recruiterName}）。` : `${facts.seekerName} 预约了你的面试时段。`,
        cancelled: '这次面试预约已取消。',
        '24h': '你的面试将在 24 小时内开始。',
        '10m': '你的面试 10 分钟后开始。',
      }
    : {
        invite:
          side === 'seeker'
            ? `You booked an interview with ${facts.employerName} (interviewer: ${facts.recruiterName}).`
            : `${facts.seekerName} booked one of your interview slots.`,
        cancelled: 'This interview booking was cancelled.',
        '24h': 'Your interview starts within 24 hours.',
        '10m': 'Your interview starts in 10 minutes.',
      };
  const joinHint = zh
    ? side === 'seeker'
      ? '到时请打开展位页面：你会排在现场队伍前面被叫到。'
      : '到时请在展位页面值班：预约的求职者会排在你的队伍最前面。'
    : side === 'seeker'
      ? 'At the time, open the booth page: you are called ahead of the walk-up line.'
      : 'At the time, be on duty at the booth page: the booked seeker is first in your line.';
  const lines = [lead[kind], '', `${zh ? '时间' : 'When'}: ${time}`, `${zh ? '展位' : 'Booth'}: ${facts.boothUrl}`];
  if (kind !== 'cancelled') lines.push('', joinHint);
  const message: MailMessage = {
    to: to.email,
    subject: subjects[kind],
    text: [...lines, '', zh ? '—— Fairground 招聘会' : '— Fairground'].join('\n'),
  };
  if (kind === 'invite' || kind === 'cancelled') {
    message.attachments = [{ filename: 'interview.ics', contentType: 'text/calendar; charset=utf-8', content: slotIcs(facts, kind === 'cancelled') }];
  }
  return message;
}
