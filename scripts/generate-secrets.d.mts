export function secret(bytes?: number): string;
export function envFile(options?: { domain?: string; ip?: string; smtpUrl?: string }): string;
