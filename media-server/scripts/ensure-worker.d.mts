/** Finds or builds a usable mediasoup-worker binary; resolves to its absolute path. */
export function ensureWorker(options?: { log?: (message: string) => void }): Promise<string>;
