import type { Readable } from 'node:stream';

/** An inclusive byte range, as HTTP's Range header names it. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredFile {
  size: number;
  lastModified: Date | null;
}

/**
 * Where recordings' files live (docs/ARCHITECTURE.md, "Recording storage"): a directory under
 * DATA_DIR by default, an S3-compatible bucket with S3 settings. Keys are relative paths like
 * `recordings/<broadcastId>/replay.mp4`; every backend refuses keys that climb out of its root.
 */
export interface Storage {
  readonly kind: 'local' | 's3';
  /** Copies a local file under `key` (replaces what was there). */
  put(key: string, localFile: string, contentType?: string): Promise<void>;
  /** Size and age of a stored file, or null when there is none. */
  stat(key: string): Promise<StoredFile | null>;
  /** The file's bytes (a range of them when asked), or null when there is none. */
  read(key: string, range?: ByteRange): Promise<Readable | null>;
  /** Deletes these files and everything under `prefix` (when given); missing files are fine. */
  delete(target: { keys?: string[]; prefix?: string }): Promise<void>;
  /** Lets go of connections (S3). */
  close?(): void;
}

const keyPattern = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\/?$/;

/** A storage key: relative, no `..`, no empty or dot-leading segments (throws otherwise). */
export function checkKey(key: string): string {
  if (!keyPattern.test(key) || key.split('/').some((part) => part === '..' || part === '.')) throw new Error(`bad storage key: ${key}`);
  return key;
}
