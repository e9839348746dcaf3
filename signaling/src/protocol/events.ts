import type { Ack } from './errors.ts';
import type { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters } from 'mediasoup-client/types';
import type {
  BoothJoin,
  DashboardRef,
  InterviewChat,
  InterviewRef,
  QueueBooth,
  QueueCall,
  QueueDuty,
  QueueEntryRef,
  Consume,
  ConsumerResume,
  ProducerClose,
  Produce,
  TransportConnect,
  TransportCreate,
  MediaSource,
  ChatJoin,
  ChatSend,
  ChatDelete,
  ChatMute,
  ChatSlowMode,
  QuestionAsk,
  QuestionRef,
  QuestionPin,
  QuestionAnswer,
  ConsumerLayersInput,
  TransportRestartIce,
  BroadcastJoin,
  BroadcastHand,
  BroadcastStagePeer,
} from './schemas.ts';

/**
 * Media parameters are mediasoup-client's own types on both sides: the browser hands them to its
 * Device and Transport as they are, the server fills them from the media server (same JSON).
 */
export type { RtpCapabilities, RtpParameters, DtlsParameters, IceParameters, IceCandidate, SctpParameters } from 'mediasoup-client/types';

export interface TransportOptions {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

export interface RemoteProducer {
  id: string;
  kind: 'audio' | 'video';
  source: MediaSource;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: RtpParameters;
}

export interface BoothState {
  boothId: string;
  roomId: string;
  employerName: string;
  /** True when the user may publish media here (the employer's staff). */
  isStaff: boolean;
  viewers: number;
  producers: RemoteProducer[];
  routerRtpCapabilities: RtpCapabilities;
}

export interface BroadcastState {
  broadcastId: string;
  roomId: string;
  /** A host (named host or organizer): may go live; not counted as a viewer. */
  isHost: boolean;
  /** For hosts: raised hands and guests now; for viewers: null. */
  stage: StageState | null;
  /** Live viewers now (distinct identities over every node). */
  viewers: number;
  producers: RemoteProducer[];
  routerRtpCapabilities: RtpCapabilities;
}

/** A broadcast's audience numbers (definitions in PRODUCT.md). */
export interface BroadcastNumbers {
  broadcastId: string;
  live: number;
  peak: number;
  /** Viewing sessions started; a reconnect within 30 s continues the same one. */
  views: number;
  unique: number;
  watchSeconds: number;
  averageWatchSeconds: number;
  /** Live viewers every 5 s (ISO time, count). */
  samples: Array<{ at: string; live: number }>;
}

/** A viewer with a raised hand, or a guest on stage. */
export interface StagePerson {
  peer: string;
  name: string;
}

/** To hosts: who asks to speak, and who is on stage (at most 3 guests). */
export interface StageState {
  broadcastId: string;
  hands: StagePerson[];
  guests: StagePerson[];
}

export interface ViewerCount {
  roomId: string;
  /** Distinct viewer identities connected now (two tabs of one person count once). */
  live: number;
}

export interface BroadcastLiveNotice {
  broadcastId: string;
  title: string;
}

/** A seeker's place in one booth's line. */
export interface QueuePlace {
  boothId: string;
  /** Whose line it is, for the call alert on any page. */
  employerName: string;
  entryId: string;
  status: 'waiting' | 'called' | 'interviewing' | 'done' | 'left' | 'no_show';
  /** 1 = next. */
  position: number;
  etaSeconds: number;
  /** While called: accept before this (ISO time). */
  acceptBy: string | null;
}

/** One waiting seeker as recruiters see them. */
export interface QueueLineItem {
  entryId: string;
  seekerId: string;
  name: string;
  headline: string;
  skills: string[];
  yearsExperience: number;
  salaryMin: number | null;
  salaryMax: number | null;
  status: 'waiting' | 'called';
  position: number;
  joinedAt: string;
  /** The seeker's resume PDF (/files/<id>), readable by this booth's recruiters. */
  resumeFileId: string | null;
  /** Away, inside the grace period: keeps the place, skipped by "call next". */
  disconnected: boolean;
  /** How well the seeker fits the booth's best-fitting job; null when the booth lists no jobs. */
  match: LineMatch | null;
}

/** A seeker's fit to one job, in parts the UI words (core/src/matching.ts). */
export interface LineMatch {
  jobId: string;
  jobTitle: string;
  /** 0-100. */
  score: number;
  skillsMatched: number;
  skillsTotal: number;
  salary: 'within' | 'overlaps' | 'below' | 'above' | 'unknown';
  location: boolean | null;
  jobType: boolean | null;
}

export interface BoothStats {
  waiting: number;
  onDuty: number;
  medianWaitSeconds: number | null;
  medianInterviewSeconds: number | null;
  interviewed: number;
  /** Interviews started since midnight on the fair's clock. */
  interviewsToday: number;
  visited: number;
  /** interviewed / visited (seekers, staff excluded). */
  conversion: number;
}

export interface QueueLine {
  boothId: string;
  line: QueueLineItem[];
  stats: BoothStats;
}

/** One booth on the organizer's live dashboard. */
export interface DashboardBooth {
  boothId: string;
  employerName: string;
  /** Distinct visitors in the booth room now (staff excluded). */
  visitorsNow: number;
  waiting: number;
  /** Called, not yet answered. */
  called: number;
  interviewsNow: number;
  onDuty: number;
  medianWaitSeconds: number | null;
}

/** A fair's live numbers (pushed at most once a second while they change). */
export interface FairDashboard {
  fairId: string;
  /** When the numbers were read (ISO time). */
  at: string;
  /** Distinct people visiting any of the fair's booths now (staff excluded). */
  peopleNow: number;
  waiting: number;
  interviewsNow: number;
  /** Median wait of everyone called so far at the fair. */
  medianWaitSeconds: number | null;
  booths: DashboardBooth[];
  /** The fair's published broadcasts, in start order, with their live viewers now. */
  broadcasts: DashboardBroadcast[];
}

/** One broadcast of a fair on the organizer's live dashboard. */
export interface DashboardBroadcast {
  broadcastId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  /** Distinct viewers in the broadcast room now, on every node (hosts not counted). */
  live: number;
}

export interface InterviewState {
  interviewId: string;
  roomId: string;
  role: 'seeker' | 'recruiter';
  startedAt: string | null;
  endedAt: string | null;
  plannedMinutes: number;
  routerRtpCapabilities: RtpCapabilities;
  producers: RemoteProducer[];
}

export interface ChatMessage {
  id: string;
  interviewId: string;
  authorId: string;
  authorName: string;
  body: string;
  sentAt: string;
}

/** A message in a broadcast's live chat. Bodies are plain text: render them as text, never HTML. */
export interface BroadcastChatLine {
  id: string;
  broadcastId: string;
  authorId: string;
  authorName: string;
  /** The author hosts this broadcast or organizes (a badge). */
  fromHost: boolean;
  body: string;
  sentAt: string;
}

/** A viewer's question. Lists sort pinned first, then by votes (most first), then by time asked. */
export interface BroadcastQuestionItem {
  id: string;
  broadcastId: string;
  authorId: string;
  authorName: string;
  body: string;
  askedAt: string;
  votes: number;
  pinned: boolean;
  answered: boolean;
}

/** What `chat:join` returns: recent history and what this user may do (sent again on every rejoin). */
export interface BroadcastChatState {
  broadcastId: string;
  /** The latest messages, oldest first. */
  messages: BroadcastChatLine[];
  questions: BroadcastQuestionItem[];
  /** Seconds between two messages of one user; 0 = off. */
  slowModeSeconds: number;
  /** The broadcast has not ended: chat and questions take posts and votes. */
  open: boolean;
  /** Signed in and the broadcast open: may post (unless muted) and vote. */
  canPost: boolean;
  /** May delete, mute, set slow mode, pin and mark answered (hosts, organizers, admins). */
  canModerate: boolean;
  /** This user is muted in this broadcast. */
  muted: boolean;
  /** Questions this user has voted for. */
  myVotes: string[];
  /** Moderators only (empty for others): who is muted. */
  mutedUserIds: string[];
}

export interface ClientToServerEvents {
  'chat:join': (payload: ChatJoin, ack: Ack<BroadcastChatState>) => void;
  'chat:leave': (payload: ChatJoin, ack: Ack<null>) => void;
  'chat:send': (payload: ChatSend, ack: Ack<BroadcastChatLine>) => void;
  'chat:delete': (payload: ChatDelete, ack: Ack<null>) => void;
  'chat:mute': (payload: ChatMute, ack: Ack<null>) => void;
  'chat:slow-mode': (payload: ChatSlowMode, ack: Ack<null>) => void;
  'question:ask': (payload: QuestionAsk, ack: Ack<BroadcastQuestionItem>) => void;
  /** One vote per user: voting again is not an error and changes nothing. */
  'question:vote': (payload: QuestionRef, ack: Ack<BroadcastQuestionItem>) => void;
  'question:pin': (payload: QuestionPin, ack: Ack<null>) => void;
  'question:answer': (payload: QuestionAnswer, ack: Ack<null>) => void;
  'question:delete': (payload: QuestionRef, ack: Ack<null>) => void;
  'queue:join': (payload: QueueBooth, ack: Ack<QueuePlace>) => void;
  'queue:leave': (payload: QueueBooth, ack: Ack<null>) => void;
  'queue:places': (payload: Record<string, never>, ack: Ack<QueuePlace[]>) => void;
  'queue:accept': (payload: QueueEntryRef, ack: Ack<{ interviewId: string }>) => void;
  'queue:duty': (payload: QueueDuty, ack: Ack<QueueLine>) => void;
  'queue:call-next': (payload: QueueBooth, ack: Ack<{ entryId: string } | null>) => void;
  'queue:call': (payload: QueueCall, ack: Ack<{ entryId: string }>) => void;
  'interview:join': (payload: InterviewRef, ack: Ack<InterviewState>) => void;
  'interview:chat': (payload: InterviewChat, ack: Ack<ChatMessage>) => void;
  'interview:extend': (payload: InterviewRef, ack: Ack<null>) => void;
  'interview:end': (payload: InterviewRef, ack: Ack<null>) => void;
  /** Organizers: start receiving `dashboard:update` for a fair; acked with the numbers now. */
  'dashboard:watch': (payload: DashboardRef, ack: Ack<FairDashboard>) => void;
  'dashboard:unwatch': (payload: DashboardRef, ack: Ack<null>) => void;
  'booth:join': (payload: BoothJoin, ack: Ack<BoothState>) => void;
  'booth:leave': (payload: BoothJoin, ack: Ack<null>) => void;
  'media:transport-create': (payload: TransportCreate, ack: Ack<TransportOptions>) => void;
  'media:transport-connect': (payload: TransportConnect, ack: Ack<null>) => void;
  'media:produce': (payload: Produce, ack: Ack<{ producerId: string }>) => void;
  'media:producer-close': (payload: ProducerClose, ack: Ack<null>) => void;
  'media:consume': (payload: Consume, ack: Ack<ConsumerOptions>) => void;
  'media:consumer-resume': (payload: ConsumerResume, ack: Ack<null>) => void;
  /** Stops forwarding one consumer (audio-only mode pauses video); resume brings it back. */
  'media:consumer-pause': (payload: ConsumerResume, ack: Ack<null>) => void;
  /** Caps the simulcast layer of one consumer (broadcasts only); bandwidth estimation may go lower. */
  'media:consumer-layers': (payload: ConsumerLayersInput, ack: Ack<null>) => void;
  /** New ICE credentials for a transport whose connection failed (the client then restarts ICE). */
  'media:transport-restart-ice': (payload: TransportRestartIce, ack: Ack<{ iceParameters: IceParameters }>) => void;
  /** Enters a broadcast's room: hosts may publish, everyone else watches and is counted. */
  'broadcast:join': (payload: BroadcastJoin, ack: Ack<BroadcastState>) => void;
  'broadcast:leave': (payload: BroadcastJoin, ack: Ack<null>) => void;
  /** A viewer raises (or lowers) a hand to ask a live question. */
  'broadcast:hand': (payload: BroadcastHand, ack: Ack<null>) => void;
  /** Hosts: bring a viewer with a raised hand on stage (they may then publish). CONFLICT when 3 are on stage. */
  'broadcast:stage-invite': (payload: BroadcastStagePeer, ack: Ack<StageState>) => void;
  /** Hosts: send a guest back to the audience (their media stops); a guest may send themselves back. */
  'broadcast:stage-remove': (payload: BroadcastStagePeer, ack: Ack<StageState>) => void;
  /** Hosts and organizers: the audience numbers so far. */
  'broadcast:stats': (payload: BroadcastJoin, ack: Ack<BroadcastNumbers>) => void;
}

export interface ServerToClientEvents {
  /** To everyone in the broadcast's chat: a new message. */
  'chat:message': (message: BroadcastChatLine) => void;
  /** To everyone in the broadcast's chat: a moderator deleted a message. */
  'chat:deleted': (payload: { broadcastId: string; messageId: string }) => void;
  /** To everyone in the broadcast's chat: slow mode changed. */
  'chat:settings': (payload: { broadcastId: string; slowModeSeconds: number }) => void;
  /** To the muted user (all their tabs) and the broadcast's moderators. */
  'chat:muted': (payload: { broadcastId: string; userId: string; muted: boolean }) => void;
  /** To everyone in the broadcast's chat: a question was asked, or its votes, pin or answer changed. */
  'question:updated': (question: BroadcastQuestionItem) => void;
  /** To everyone in the broadcast's chat: a moderator removed a question. */
  'question:deleted': (payload: { broadcastId: string; questionId: string }) => void;
  /** The seeker's place changed (position, ETA, status). */
  'queue:place': (place: QueuePlace) => void;
  /** To recruiters of the booth: the line and the booth's numbers. */
  'queue:line': (line: QueueLine) => void;
  /** To both participants: the interview room is ready. */
  'interview:ready': (payload: { interviewId: string }) => void;
  'interview:state': (payload: { interviewId: string; startedAt: string | null; endedAt: string | null; plannedMinutes: number }) => void;
  'interview:chat': (message: ChatMessage) => void;
  'room:viewers': (count: ViewerCount) => void;
  'media:producer-added': (payload: { roomId: string; producer: RemoteProducer }) => void;
  'media:producer-closed': (payload: { roomId: string; producerId: string }) => void;
  'media:consumer-closed': (payload: { roomId: string; consumerId: string }) => void;
  /** The room's media died (worker crash); rejoin to get new transports. */
  'media:room-reset': (payload: { roomId: string }) => void;
  /** To organizers watching a fair: its live numbers changed. */
  'dashboard:update': (payload: FairDashboard) => void;
  /** To hosts of a broadcast: raised hands and stage guests changed. */
  'broadcast:stage-state': (state: StageState) => void;
  /** To one viewer: they were brought on stage (may publish now), or sent back. */
  'broadcast:on-stage': (payload: { broadcastId: string; onStage: boolean }) => void;
  /** To everyone: a published guidance broadcast has just started (sent once, by one node). */
  'notice:broadcast-live': (payload: BroadcastLiveNotice) => void;
}

export interface InterServerEvents {
  ping: () => void;
  /** Something changed at one of this fair's booths: each node pushes to its own dashboard watchers. */
  'dashboard:changed': (fairId: string) => void;
  /** A host on another node sent this connection's owner back from the stage: close its producers. */
  'broadcast:unstage': (roomId: string, peer: string) => void;
  /** An interview ended on another node: close its media room here too. */
  'interview:ended': (interviewId: string) => void;
}

/** What the server knows about a connection, set once at the handshake. */
export interface SocketData {
  user: { id: string; email: string; name: string; role: 'seeker' | 'employer' | 'organizer' | 'admin' } | null;
  /** Who counts as a viewer: the user id, or the anonymous device id the client sent. */
  identity: string;
  /** The room of every socket of this sign-in session (a hash of its token), ended on sign-out. */
  sessionRoom: string | null;
}
