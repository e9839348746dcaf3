/** Finds, downloads or builds a mediasoup-worker that runs here; resolves to its absolute path. */
export function ensureWorker(options?: { log?: (message: string) => void; env?: NodeJS.ProcessEnv }): Promise<string>;
/** What to install for a worker, said for the given (default: this) platform. */
export function adviceFor(platform?: NodeJS.Platform, arch?: string): string;
