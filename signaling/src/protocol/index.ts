export * from './errors.ts';
export * from './events.ts';
export * from './schemas.ts';
export * from './requests.ts';
export * from './reconnect.ts';
