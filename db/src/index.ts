export { connect, type Database, type Db, type ConnectOptions } from './connect.ts';
export { seedDemo, DEMO_ACCOUNTS, DEMO_PASSWORD, type DemoAccount } from './seed.ts';
export * from './queries/auth.ts';
export * from './queries/catalog.ts';
export { shareDatabase, sharedDatabase } from './shared.ts';
export * as schema from './schema/index.ts';
