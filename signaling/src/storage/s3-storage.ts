import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checkKey, type ByteRange, type Storage, type StoredFile } from './storage.ts';

export interface S3Settings {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** MinIO and most self-hosted stores want `host/bucket/key`, not `bucket.host/key`. */
  forcePathStyle: boolean;
}

const missing = (err: unknown) =>
  err instanceof NoSuchKey || err instanceof NotFound || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404);

/**
 * Any S3-compatible store (AWS, MinIO, ...) through the AWS SDK. Files are streamed through the
 * node that serves them (http/recording-files.ts), so the bucket stays private and the same
 * per-viewer check guards every byte (docs/DEPLOY.md, "Recordings in S3").
 */
export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(settings: S3Settings) {
    this.#bucket = settings.bucket;
    this.#client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.forcePathStyle,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      // Only what the operation needs: S3-compatible stores differ on the newer default checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /**
   * Makes the bucket when it is missing (a fresh MinIO in docker-compose.yml); an existing one, or
   * one these credentials may only use, is left as it is.
   */
  async ensureBucket(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (err) {
      if (!missing(err)) throw err;
      await this.#client.send(new CreateBucketCommand({ Bucket: this.#bucket }));
    }
  }

  async put(key: string, localFile: string, contentType?: string): Promise<void> {
    // lib-storage's Upload: one PUT for small files, a multipart upload for a long replay.
    await new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: checkKey(key), Body: createReadStream(localFile), ...(contentType ? { ContentType: contentType } : {}) },
    }).done();
  }

  async stat(key: string): Promise<StoredFile | null> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: checkKey(key) }));
      return { size: head.ContentLength ?? 0, lastModified: head.LastModified ?? null };
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const object = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: checkKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      return (object.Body as Readable | undefined) ?? null;
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  }

  async delete(target: { keys?: string[]; prefix?: string }): Promise<void> {
    const keys = (target.keys ?? []).map(checkKey);
    if (target.prefix) {
      const prefix = checkKey(target.prefix);
      let token: string | undefined;
      do {
        const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
    // DeleteObjects takes at most 1000 keys at once.
    for (let i = 0; i < keys.length; i += 1000) {
      await this.#client.send(
        new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }),
      );
    }
  }

  close(): void {
    this.#client.destroy();
  }
}
