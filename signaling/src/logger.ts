import pino, { type Logger } from 'pino';

const root: Logger = pino({ level: 'info', base: undefined });

/** Sets the level once config is read; call it before creating loggers (children copy the level). */
export function configureLogging(level: string): void {
  root.level = level;
}

/** A named logger with context, e.g. getLogger('signaling:media', { roomId }). */
export function getLogger(name: string, context: Record<string, unknown> = {}): Logger {
  return root.child({ name, ...context });
}
