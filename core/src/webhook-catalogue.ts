/**
 * Every webhook event type a receiver may subscribe to. `emitted: false` types are part of the
 * contract already (so integrations can be written against them) but no feature produces them yet.
 * `replay.ready` is sent once per replay, in the transaction that marks its composition ready
 * (core/src/recordings.ts; broadcasts of a fair only). `slot.booked` is sent when a seeker books an
 * interview slot (a reschedule is a new booking with `data.replaces`), in the booking's transaction. `survey.answered` is a post-fair survey
 * answer (core/src/surveys.ts: respondent kind, rating, comments; no names). `outcome.recorded` is
 * also sent for each stage past the interview (core/src/hiring.ts: `data.stage`, `occurredOn`). `invitation.answered` is sent
 * for the invitations that do exist, told apart by `data.invitation`: `booth` (an organizer invited
 * the employer to a fair; employer and fair), `team` (a recruiter joined the employer's team;
 * employer), `host` (a co-host accepted a fair's broadcast; fair) and `candidate` (a seeker answered
 * an employer's 邀约 from the resume book; employer and fair, on the booth's subject). Only a
 * candidate invitation can be declined (`data.answer` `accepted` or `declined`); the others are
 * only accepted (an ignored one expires).
 * `audiences` says whose endpoints may receive the type: outcomes are the employer's judgement and
 * never reach a fair's organizers.
 */
export const WEBHOOK_EVENT_TYPES = {
  'queue.joined': { emitted: true, audiences: ['employer', 'fair'] },
  'interview.started': { emitted: true, audiences: ['employer', 'fair'] },
  'interview.ended': { emitted: true, audiences: ['employer', 'fair'] },
  'outcome.recorded': { emitted: true, audiences: ['employer'] },
  'broadcast.started': { emitted: true, audiences: ['fair'] },
  'broadcast.ended': { emitted: true, audiences: ['fair'] },
  'slot.booked': { emitted: true, audiences: ['employer', 'fair'] },
  'invitation.answered': { emitted: true, audiences: ['employer', 'fair'] },
  'replay.ready': { emitted: true, audiences: ['fair'] },
  'survey.answered': { emitted: true, audiences: ['fair'] },
} as const satisfies Record<string, { emitted: boolean; audiences: ReadonlyArray<'employer' | 'fair'> }>;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;
export type IntegrationOwnerKind = 'employer' | 'fair';

export const webhookEventTypes = Object.keys(WEBHOOK_EVENT_TYPES) as WebhookEventType[];

/** The types an owner of this kind may subscribe to. */
export function eventTypesFor(kind: IntegrationOwnerKind): WebhookEventType[] {
  return webhookEventTypes.filter((t) => (WEBHOOK_EVENT_TYPES[t].audiences as ReadonlyArray<string>).includes(kind));
}
