export * from './users.ts';
export * from './uploads.ts';
export * from './employers.ts';
export * from './profiles.ts';
export * from './fairs.ts';
export * from './broadcasts.ts';
export * from './events.ts';
export * from './queues.ts';
