export { CHAT_MAX_LENGTH, QUESTION_MAX_LENGTH, SLOW_MODE_MAX_SECONDS } from './schemas.ts';

export { ServiceError, HTTP_STATUS, type ServiceErrorCode } from './errors.ts';
export { type Actor, isOrganizer, isHost, requireUser, requireRole, requireMember, requireOwner, membership } from './actor.ts';
export { signUp } from './accounts.ts';
export { BoothService, visibleBooth, type VisibleBooth } from './booths.ts';
export { BoothPresentations, PRESENTATION_MAX_MS, type OpenPresentation, type PastPresentation } from './booth-presentations.ts';
export { DomainEvents, type SlotNotice, type DomainEventMap, type DomainEventName, type DomainListener } from './events.ts';
export { UserService } from './users.ts';
export { AccessEvents, type AccessChange, type AccessChangeReason, type AccessListener } from './access.ts';
export { InvitationService, INVITATION_DAYS, type InvitationMail, type InvitationView } from './invitations.ts';
export { iceServersFor, mintTurnCredential, type IceServer, type TurnSettings } from './turn-credentials.ts';
export { accountMail, mailLanguage, mailTemplates, noMail, type Mailer, type MailMessage, type MailAttachment } from './mail.ts';
export {
  RecordingService,
  replayPaths,
  type Replay,
  type RecordingSegment,
  type RecordingStatus,
  type RecordingFiles,
  type ReplaySettings,
  type ReplayVisibility,
  type SegmentStart,
} from './recordings.ts';
export { broadcastIcs, BroadcastService, type Broadcast, type LoadedBroadcast } from './broadcasts.ts';
export { BroadcastCaptions, displayMs, type CaptionCue, type Captioner } from './broadcast-captions.ts';
export { BroadcastPolls, pollsOf, type BroadcastPoll } from './broadcast-polls.ts';
export {
  ReplayAudience,
  replayStats,
  replayBeatSchema,
  REPLAY_MAX_SPEED,
  REPLAY_VIEWS_PER_IDENTITY_PER_DAY,
  type ReplayBeat,
  type ReplayStats,
} from './replay-audience.ts';
export { ReplayTimelines, REPLAY_CHAT_LIMIT, type ReplayLine, type ReplayState, type ReplayTimeline } from './replay-timeline.ts';
export { BroadcastChapters, type Chapter, type ChapterMark } from './broadcast-chapters.ts';
export { msFromStart } from './broadcast-time.ts';
export { toWebVtt, escapeCueText, vttTimestamp, type VttCue } from './webvtt.ts';
export {
  CAPTION_LANGUAGES,
  CAPTION_MAX_LENGTH,
  CHAPTER_TITLE_MAX_LENGTH,
  POLL_MAX_OPTIONS,
  POLL_MIN_OPTIONS,
  POLL_OPTION_MAX_LENGTH,
  POLL_QUESTION_MAX_LENGTH,
  type CaptionLanguage,
} from './live-schemas.ts';
export { BroadcastChat, defaultChatOptions, type ChatOptions, type BroadcastChatMessage, type BroadcastQuestion } from './broadcast-chat.ts';
export { EmployerService } from './employers.ts';
export { FairService, type FairStatus } from './fairs.ts';
export { ProfileService, type SeekerProfile } from './profiles.ts';
export { UploadService, uploadLimits, defaultUploadQuotas, type UploadQuotas } from './uploads.ts';
export { validate } from './validate.ts';
export { BoothQueue, defaultQueueOptions, type QueueEntry, type QueueOptions } from './queue.ts';
export { InterviewService, assessmentSchema, chatSchema, type Interview } from './interviews.ts';
export { HiringService, HIRING_STAGES, stageSchema, hiringFigures, type HiringStage, type HiringFigures, type CandidateStage } from './hiring.ts';
export { invitationFigures, type InvitationFigures } from './invitation-counts.ts';
export { SurveyService, surveyAnswerSchema, surveyQuestionsSchema, type Respondent } from './surveys.ts';
export { HandoffService, PANEL_LIMIT, panelInviteSchema, defaultHandoffOptions, type HandoffOptions } from './handoffs.ts';
export { recordEvent, funnelReport, boothIdsOfFair, interviewsStartedSince, type FunnelKind, type FunnelReport } from './funnel.ts';
export {
  MatchingService,
  MATCH_WEIGHTS,
  bestMatch,
  matchJob,
  rankJobs,
  salaryFit,
  sameLocation,
  type Match,
  type MatchJob,
  type MatchProfile,
  type MatchReason,
  type SalaryFit,
} from './matching.ts';
export {
  ReportService,
  funnels,
  channelFunnels,
  CHANNELS,
  type Channel,
  type ChannelSplit,
  demandTable,
  salaryBand,
  SALARY_BANDS,
  OUTCOMES,
  type BoothLine,
  type FairBroadcast,
  type DemandJob,
  type DemandRow,
  type DemandTable,
  type Funnel,
  type Outcome,
  type SalaryBand,
} from './reports.ts';
export {
  AudienceLedger,
  broadcastStats,
  broadcastSummaries,
  SAMPLE_MS,
  VIEW_CONTINUES_MS,
  type BroadcastStats,
  type BroadcastSummary,
} from './broadcast-audience.ts';
export { toCsv, CSV_CONTENT_TYPE } from './csv.ts';
export {
  SlotService,
  SLOT_PROFILE_FIELDS,
  defaultSlotOptions,
  publishSlotsSchema,
  slotSettingsSchema,
  bookedSeq,
  type SlotOptions,
  type InterviewSlot,
  type SlotBooking,
  type SlotProfileField,
} from './slots.ts';
export { slotCounts, type SlotCounts } from './slot-counts.ts';
export { slotIcs, slotMail, type SlotMailFacts, type SlotMailKind } from './slot-mail.ts';
export { isTimeZone, startOfDay, utcToWallTime, wallTimeToUtc } from './time.ts';
export { safeNext } from './safe-next.ts';
export { WalkInService, defaultWalkInOptions, walkInSchema, WALK_IN_DOMAIN, type WalkInOptions, type WalkInInput } from './walk-ins.ts';
export { PhoneHandOffService, defaultPhoneHandOffOptions, type PhoneHandOffOptions } from './phone-hand-off.ts';
export { takeWindow } from './window-limit.ts';

export { ResumeBookService, type ResumeBookRow } from './resume-book.ts';
export {
  CandidateInvitationService,
  CANDIDATE_INVITATIONS_PATH,
  defaultCandidateInvitationOptions,
  type CandidateInvitationOptions,
} from './candidate-invitations.ts';
export {
  resumeSearchSchema,
  candidateInvitationSchema,
  RESUME_BOOK_PAGE_SIZE,
  RESUME_BOOK_MAX_PAGE,
  INVITATION_MESSAGE_MAX,
  type ResumeSearch,
  type ResumeSearchInput,
} from './resume-book-schemas.ts';

export { createServices, defaultIntegrationOptions, type IntegrationOptions, type Services } from './services.ts';
export { WebhookService, MAX_ENDPOINTS_PER_OWNER, SECRET_GRACE_MS, type EndpointView } from './webhooks.ts';
export { WebhookDeliveries, defaultDeliveryOptions, type AttemptResult, type ClaimedDelivery, type DeliveryOptions } from './webhook-deliveries.ts';
export { resolveWebhookTarget, isPrivateAddress, WebhookAddressError, type AddressPolicy } from './webhook-address.ts';
export { webhookHeaders, signWebhook, newWebhookSecret } from './webhook-signature.ts';
export { WEBHOOK_EVENT_TYPES, webhookEventTypes, eventTypesFor, type WebhookEventType, type IntegrationOwnerKind } from './webhook-catalogue.ts';
export { type IntegrationOwner } from './integration-owner.ts';
export { ApiTokenService, MAX_TOKENS_PER_OWNER, type ApiTokenView, type TokenGrant } from './api-tokens.ts';
export { ReadApi, type Page, type PageRequest } from './read-api.ts';
export { CandidateExports, candidatesCsv, candidatesJsonResume, CANDIDATE_CSV_HEADER, type ExportScope } from './candidate-export.ts';
export * as apiSchemas from './api-schemas.ts';
export { type PresenceStore } from './presence.ts';
export { MemoryPresenceStore } from './memory-presence.ts';
export { AnonymousViewerCap, MemoryBoundedSets, type AnonymousViewerCapOptions, type BoundedSets } from './anonymous-viewers.ts';
export { BroadcastStage, broadcastOfStageRoom, MAX_STAGE_GUESTS, type StagePerson, type StageState } from './broadcast-stage.ts';
export { sharePlatform, platform, type Platform } from './platform.ts';
export {
  DisplayKeyService,
  DISPLAY_COOKIE_NAME,
  DISPLAY_LOCALES,
  DISPLAY_KEY_FAILURES,
  DISPLAY_KEY_WINDOW_SECONDS,
  MAX_DISPLAY_KEYS,
  type DisplayGrant,
  type DisplayKeyView,
  type DisplayLocale,
  type DisplayOwner,
} from './display-keys.ts';
export {
  VenueService,
  BOOTH_SCREEN_MODES,
  COMPARISON_SECONDS,
  KIOSK_CHECK_IN_HOURS,
  type BoothScreenMode,
  type HallScreen,
  type ScreenBooth,
  type ScreenBroadcast,
  type ScreenComparison,
  type ScreenJob,
  type ScreenScope,
} from './venue.ts';
export {
  SCREEN_CODE_ALPHABET,
  SCREEN_CODE_GRACE_SECONDS,
  SCREEN_CODE_LENGTH,
  SCREEN_CODE_SECONDS,
  defaultScreenCodeLimits,
  normalizeScreenCode,
  type ScreenCode,
  type ScreenCodeLimits,
} from './screen-codes.ts';
