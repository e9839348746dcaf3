import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where outgoing webhook requests may not go: the platform's own network. Checked on the resolved
 * addresses (a public name may point at 127.0.0.1), and the request then connects to the address
 * that was checked, so a second DNS answer cannot swap in a private one (rebinding).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata at 169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64: embeds an IPv4 address
  ['2002::', 16], // 6to4: embeds an IPv4 address
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The address is private, loopback, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  return blocked.check(address, 'ipv6');
}

export type AddressRefusal = 'INVALID_URL' | 'SCHEME' | 'UNRESOLVABLE' | 'PRIVATE_ADDRESS';

export class WebhookAddressError extends Error {
  constructor(readonly reason: AddressRefusal) {
    super(`webhook address refused: ${reason}`);
    this.name = 'WebhookAddressError';
  }
}

export interface AddressPolicy {
  /** Operators (and tests) may allow private addresses and plain http; never in a public deployment. */
  allowPrivate: boolean;
}

/**
 * Checks an endpoint URL and resolves it; returns the one address to connect to. Refuses
 * non-https URLs (unless private targets are allowed), names that do not resolve, and any name
 * with a private address among its answers.
 */
export async function resolveWebhookTarget(rawUrl: string, policy: AddressPolicy): Promise<{ url: URL; address: string; family: 4 | 6 }> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new WebhookAddressError('INVALID_URL');
  }
  if (url.username || url.password) throw new WebhookAddressError('INVALID_URL');
  if (url.protocol !== 'https:' && !(policy.allowPrivate && url.protocol === 'http:')) throw new WebhookAddressError('SCHEME');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let answers: Array<{ address: string; family: number }>;
  if (isIP(host)) answers = [{ address: host, family: isIP(host) }];
  else {
    try {
      answers = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw new WebhookAddressError('UNRESOLVABLE');
    }
  }
  if (answers.length === 0) throw new WebhookAddressError('UNRESOLVABLE');
  if (!policy.allowPrivate && answers.some((a) => isPrivateAddress(a.address))) throw new WebhookAddressError('PRIVATE_ADDRESS');
  const first = answers[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
