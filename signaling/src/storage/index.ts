import type { Config } from '../config.ts';
import { LocalStorage } from './local-storage.ts';
import { S3Storage } from './s3-storage.ts';
import type { Storage } from './storage.ts';

export type { Storage, StoredFile, ByteRange } from './storage.ts';
export { LocalStorage } from './local-storage.ts';
export { S3Storage } from './s3-storage.ts';
export { uploadReplay } from './replay-upload.ts';

type StorageSettings = Pick<
  Config,
  'DATA_DIR' | 'S3_ENDPOINT' | 'S3_BUCKET' | 'S3_REGION' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_FORCE_PATH_STYLE'
>;

/** The configured backend: the S3 bucket when its settings are there (config.ts refuses half of them), else DATA_DIR. */
export function createStorage(config: StorageSettings): Storage {
  if (config.S3_BUCKET && config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY) {
    return new S3Storage({
      endpoint: config.S3_ENDPOINT,
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
    });
  }
  return new LocalStorage(config.DATA_DIR);
}

/**
 * Where a recording's files are deleted: this node's directory (the recorder writes segments there
 * whatever the backend) and the backend when it is remote (the uploaded replay).
 */
export function recordingFiles(dataDir: string, storage: Storage): { delete(target: { keys?: string[]; prefix?: string }): Promise<void> } {
  const local = storage.kind === 'local' ? storage : new LocalStorage(dataDir);
  return {
    delete: async (target) => {
      await local.delete(target);
      if (storage !== local) await storage.delete(target);
    },
  };
}
