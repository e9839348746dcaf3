import type { IncomingHttpHeaders } from 'node:http';

export interface AddressSettings {
  ADDRESS_HEADER?: string;
  XFF_DEPTH: number;
}

/**
 * The client's address for rate limits and per-address caps. Without ADDRESS_HEADER it is the TCP
 * peer (a proxy in front would make every client one address, so deployments behind one set it).
 * For x-forwarded-for only the entry XFF_DEPTH from the right is trusted: entries further left
 * were written by the client itself and can be forged. Mirrors adapter-node's rule for the pages.
 */
export function clientAddress(headers: IncomingHttpHeaders, peer: string | undefined, settings: AddressSettings): string {
  const fallback = peer ?? 'unknown';
  if (!settings.ADDRESS_HEADER) return fallback;
  const raw = headers[settings.ADDRESS_HEADER];
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!value) return fallback;
  if (settings.ADDRESS_HEADER !== 'x-forwarded-for') return value.trim() || fallback;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries[entries.length - settings.XFF_DEPTH] ?? fallback;
}
