export { connect, type Database, type Db, type ConnectOptions, type SqlResult } from './connect.ts';
export { isDatabaseUnavailable } from './unavailable.ts';
export {
  createAuth,
  SESSION_COOKIE_NAME,
  WALK_IN_DOMAIN,
  WALK_IN_SESSION_SECONDS,
  isWalkInAddress,
  type Auth,
  type AuthOptions,
  type AuthResult,
  type AuthMail,
  type MailRecipient,
  type SessionsEnded,
  type SignUpResult,
  type TokenResult,
  type Role,
  type SessionUser,
} from './auth.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export * from './queries/catalog.ts';
export { OUTBOX_LOCK, joinQueueStatement, leaveQueueStatement, callNextStatement, type JoinOutcome, type CallNextOutcome } from './queries/queue.ts';
export { checkInAtKiosk, onSiteSeekers } from './queries/venue.ts';
export * as schema from './schema/index.ts';
