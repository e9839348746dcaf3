import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { checkKey, type ByteRange, type Storage, type StoredFile } from './storage.ts';

/** Files in a directory (DATA_DIR): the default, and where the recorder writes in every case. */
export class LocalStorage implements Storage {
  readonly kind = 'local' as const;
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  /** The key's path, refused if it would leave the root (the key check's second line). */
  path(key: string): string {
    const path = resolve(join(this.#root, checkKey(key)));
    if (path !== this.#root && !path.startsWith(this.#root + sep)) throw new Error(`bad storage key: ${key}`);
    return path;
  }

  async put(key: string, localFile: string): Promise<void> {
    const target = this.path(key);
    if (resolve(localFile) === target) return;
    await mkdir(dirname(target), { recursive: true });
    // Copied beside, then renamed: a reader never sees half a file.
    const partial = `${target}.partial`;
    await copyFile(localFile, partial);
    await rename(partial, target);
  }

  async stat(key: string): Promise<StoredFile | null> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? { size: s.size, lastModified: s.mtime } : null;
    } catch {
      return null;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    if (!(await this.stat(key))) return null;
    return createReadStream(this.path(key), range ? { start: range.start, end: range.end } : {});
  }

  async delete(target: { keys?: string[]; prefix?: string }): Promise<void> {
    for (const key of target.keys ?? []) await rm(this.path(key), { force: true });
    if (target.prefix) await rm(this.path(target.prefix), { recursive: true, force: true });
  }
}
