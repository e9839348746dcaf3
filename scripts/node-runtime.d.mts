export const MIN_MAJOR: number;
export const PINNED_VERSION: string;
export const PINNED_INTEGRITY: Record<'x64' | 'arm64', string>;
export function cacheRoot(env?: NodeJS.ProcessEnv): string;
export function integrityOf(file: string): string;
export function isSupported(version?: string): boolean;
export function ensurePinnedNode(options?: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; arch?: string; integrity?: string }): string;
export function envFor(bin: string, env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export function ensureSupportedNode(): Promise<void>;
