export { connect, type Database, type Db, type ConnectOptions } from './connect.ts';
export { isDatabaseUnavailable } from './unavailable.ts';
export { createAuth, SESSION_COOKIE_NAME, type Auth, type AuthOptions, type AuthResult, type AuthMail, type MailRecipient, type SessionsEnded, type SignUpResult, type TokenResult, type Role, type SessionUser } from './auth.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { seedDemo, DEMO_ACCOUNTS, DEMO_PASSWORD, type DemoAccount } from './seed.ts';
export {
  seedDemoHistory,
  demoHistoryWindows,
  demoSeekerEmail,
  DEMO_HISTORY,
  DEMO_SEEKERS,
  INTERVIEW_STORIES,
  type DemoBoothPlan,
  type DemoStory,
} from './seed-history.ts';
export * from './queries/catalog.ts';
export * as schema from './schema/index.ts';
