export { createPlatform, type Platform, type PlatformOptions, type AppServer } from './server.ts';
export { loadConfig, ConfigError, type Config } from './config.ts';
export { configureLogging, getLogger } from './logger.ts';
