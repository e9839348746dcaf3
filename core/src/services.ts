import type { Db } from '@fairground/db';
import { AccessEvents } from './access.ts';
import { BoothService } from './booths.ts';
import { BroadcastService } from './broadcasts.ts';
import { RecordingService } from './recordings.ts';
import { BoothPresentations } from './booth-presentations.ts';
import { ReplayAudience } from './replay-audience.ts';
import { ReplayTimelines } from './replay-timeline.ts';
import { BroadcastChat, defaultChatOptions, type ChatOptions } from './broadcast-chat.ts';
import { AudienceLedger } from './broadcast-audience.ts';
import { BroadcastCaptions } from './broadcast-captions.ts';
import { BroadcastChapters } from './broadcast-chapters.ts';
import { BroadcastPolls } from './broadcast-polls.ts';
import { EmployerService } from './employers.ts';
import { DomainEvents } from './events.ts';
import { FairService } from './fairs.ts';
import { InterviewService } from './interviews.ts';
import { HandoffService } from './handoffs.ts';
import { HiringService } from './hiring.ts';
import { SurveyService } from './surveys.ts';
import { InvitationService, type InvitationMail } from './invitations.ts';
import { noMail } from './mail.ts';
import { MatchingService } from './matching.ts';
import { ProfileService } from './profiles.ts';
import { ResumeBookService } from './resume-book.ts';
import { CandidateInvitationService } from './candidate-invitations.ts';
import { BoothQueue, defaultQueueOptions, type QueueOptions } from './queue.ts';
import { ReportService } from './reports.ts';
import { SlotService, defaultSlotOptions, type SlotOptions } from './slots.ts';
import { UploadService, defaultUploadQuotas, type UploadQuotas } from './uploads.ts';
import { UserService } from './users.ts';
import { WebhookService } from './webhooks.ts';
import { WalkInService } from './walk-ins.ts';
import { PhoneHandOffService } from './phone-hand-off.ts';
import { VenueService } from './venue.ts';
import { ApiTokenService } from './api-tokens.ts';
import { ReadApi } from './read-api.ts';
import { CandidateExports } from './candidate-export.ts';
import { DisplayKeyService } from './display-keys.ts';
import { WebhookDeliveries, defaultDeliveryOptions, type DeliveryOptions } from './webhook-deliveries.ts';
import type { AddressPolicy } from './webhook-address.ts';

/** Integrations: where webhooks may go and how their deliveries are retried. */
export interface IntegrationOptions {
  address: AddressPolicy;
  delivery: DeliveryOptions;
}

/** Safe defaults: public https receivers only. */
export const defaultIntegrationOptions: IntegrationOptions = { address: { allowPrivate: false }, delivery: defaultDeliveryOptions };

/** Every service over one database: what pages and sockets use. */
export function createServices(
  db: Db,
  queueOptions: QueueOptions = defaultQueueOptions,
  chatOptions: ChatOptions = defaultChatOptions,
  uploadQuotas: UploadQuotas = defaultUploadQuotas,
  /** How invitations are mailed; without it none are sent (scripts and unit tests). */
  mail: InvitationMail = { mailer: noMail, origin: 'http://localhost:3000' },
  integrations: IntegrationOptions = defaultIntegrationOptions,
  slotOptions: SlotOptions = defaultSlotOptions,
) {
  /** Announces changes of rights; signaling drops the affected sockets (core/src/access.ts). */
  const access = new AccessEvents();
  /** What happened, after each commit: sockets and reports subscribe (core/src/events.ts). */
  const events = new DomainEvents();
  const uploads = new UploadService(db, uploadQuotas);
  const broadcasts = new BroadcastService(db, mail, events);
  const resumeBook = new ResumeBookService(db);
  const slots = new SlotService(db, mail, events, slotOptions);
  const captions = new BroadcastCaptions(db, broadcasts);
  const chapters = new BroadcastChapters(db, broadcasts);
  const recordings = new RecordingService(db, broadcasts, events);
  return {
    access,
    events,
    users: new UserService(db, access),
    booths: new BoothService(db, events),
    queue: new BoothQueue(db, queueOptions, events),
    interviews: new InterviewService(db, events),
    handoffs: new HandoffService(db, queueOptions, undefined, events),
    hiring: new HiringService(db),
    surveys: new SurveyService(db, mail),
    employers: new EmployerService(db, mail, access, uploads),
    invitations: new InvitationService(db),
    fairs: new FairService(db),
    profiles: new ProfileService(db),
    broadcasts,
    captions,
    polls: new BroadcastPolls(db, broadcasts),
    chapters,
    recordings,
    /** Employers recording their booth's stage into a replay (a presentation is a broadcast with a booth). */
    presentations: new BoothPresentations(db, recordings, events),
    /** The replay page's clock (chapters, chat and captions moved onto the recording's start) and its numbers. */
    replayTimelines: new ReplayTimelines(db, broadcasts, recordings, chapters, captions),
    replayAudience: new ReplayAudience(db, recordings),
    broadcastChat: new BroadcastChat(db, chatOptions),
    audience: new AudienceLedger(db),
    uploads,
    matching: new MatchingService(db),
    reports: new ReportService(db),
    webhooks: new WebhookService(db, integrations.address, mail.mailer, mail.origin),
    webhookDeliveries: new WebhookDeliveries(db, integrations.delivery),
    apiTokens: new ApiTokenService(db),
    readApi: new ReadApi(db),
    candidateExports: new CandidateExports(db),
    slots,
    displayKeys: new DisplayKeyService(db, events),
    venue: new VenueService(db, events),
    resumeBook,
    /** 邀约: employers invite seekers found in the resume book (not the team/co-host `invitations`). */
    candidateInvitations: new CandidateInvitationService(db, resumeBook, mail, undefined, { slots, events }),
    walkIns: new WalkInService(db),
    phoneHandOff: new PhoneHandOffService(db),
  };
}

export type Services = ReturnType<typeof createServices>;
