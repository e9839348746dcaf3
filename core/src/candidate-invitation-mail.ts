import type { MailLanguage, MailMessage } from './mail.ts';

/** What the invitation mail names: who invites, to what, and where to answer. */
export interface CandidateInvitationMailInput {
  to: string;
  employerName: string;
  fairTitle: string;
  /** The job's title for an invitation to a job; null for one to the booth. */
  jobTitle: string | null;
  /** For an invitation to an interview slot: its start, worded in the fair's time zone. */
  slot?: { startsAt: Date; timeZone: string } | null;
  message: string;
  /** The seeker's invitations page (absolute). */
  link: string;
}

/** The mail a seeker gets when an employer invites them (邀约) from the resume book. */
export function candidateInvitationMail(lang: MailLanguage, input: CandidateInvitationMailInput): MailMessage {
  const { to, employerName, fairTitle, jobTitle, slot, message, link } = input;
  const slotTime = (locale: string) =>
    slot
      ? `${new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: slot.timeZone }).format(slot.startsAt)} (${slot.timeZone})`
      : '';
  if (lang === 'zh') {
    const what = slot ? `邀请你于 ${slotTime('zh-CN')} 参加面试` : jobTitle ? `邀请你应聘「${jobTitle}」` : '邀请你到展位面谈';
    return {
      to,
      subject: `${employerName} ${what}`,
      text: [
        `${employerName} 在「${fairTitle}」的简历库中看到了你的资料，${what}。`,
        ...(message ? ['', `留言：${message}`] : []),
        '',
        `查看并接受或婉拒：${link}`,
        '',
        '你可以随时在“隐私”页面关闭简历库公开。',
        '',
        '—— Fairground 招聘会',
      ].join('\n'),
    };
  }
  const what = slot
    ? `invites you to an interview at ${slotTime('en-GB')}`
    : jobTitle
      ? `invites you to apply for “${jobTitle}”`
      : 'invites you to their booth';
  return {
    to,
    subject: `${employerName} ${what}`,
    text: [
      `${employerName} found your profile in the resume book of “${fairTitle}” and ${what}.`,
      ...(message ? ['', `Their note: ${message}`] : []),
      '',
      `See it and accept or decline: ${link}`,
      '',
      'You can stop being findable at any time on your privacy page.',
      '',
      '— Fairground',
    ].join('\n'),
  };
}
