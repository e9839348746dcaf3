// The demo data (`SEED_DEMO`, tests' run database): not part of db's or core's API.
export { seedDemo, DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_FAIR_TITLE, DEMO_BROADCAST_TITLE, type DemoAccount } from './seed.ts';
export {
  seedDemoHistory,
  demoHistoryWindows,
  demoSeekerEmail,
  DEMO_HISTORY,
  DEMO_SEEKERS,
  INTERVIEW_STORIES,
  type DemoBoothPlan,
  type DemoStory,
} from './history.ts';
