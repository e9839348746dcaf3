export * from './users.ts';
export * from './employers.ts';
export * from './fairs.ts';
export * from './broadcasts.ts';
export * from './events.ts';
