import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Storage } from './storage.ts';

const CONTENT_TYPES: Record<string, string> = { mp4: 'video/mp4', m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' };
const typeOf = (key: string) => CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1)];

/**
 * A composed replay's files (the MP4, the HLS playlist and its pieces), as compose.ts left them
 * under `dir`, copied to the storage backend. The playlist goes last: a reader that finds it
 * finds every piece it names. With a remote backend the local copies go afterwards (the segments
 * stay: a failed composition is composed again from them).
 */
export async function uploadReplay(storage: Storage, dir: string, out: { mp4Key: string; hlsKey: string }): Promise<void> {
  if (storage.kind === 'local') return;
  const hlsDir = dirname(out.hlsKey);
  const pieces = (await readdir(join(dir, hlsDir))).filter((name) => name.endsWith('.ts')).map((name) => `${hlsDir}/${name}`);
  for (const key of [out.mp4Key, ...pieces, out.hlsKey]) await storage.put(key, join(dir, key), typeOf(key));
  await rm(join(dir, out.mp4Key), { force: true });
  await rm(join(dir, hlsDir), { recursive: true, force: true });
}
