export const ROOT: string;
export const WEB_HANDLER: string;
export function ensureWebBuild(): void;
export function prepare(options?: { web?: boolean }): Promise<{ MEDIASOUP_WORKER_BIN: string; WEB_HANDLER: string }>;
