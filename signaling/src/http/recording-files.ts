import { Router, type Request, type Response } from 'express';
import parseRange from 'range-parser';
import { ServiceError, type RecordingService, type Actor } from '@fairground/core';
import type { Logger } from 'pino';
import type { Storage } from '../storage/storage.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The only names under a replay's hls/ folder: ffmpeg's playlist and its pieces. No dots, no slashes. */
const hlsFile = /^[A-Za-z0-9_-]{1,64}\.(m3u8|ts)$/;

const CONTENT_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
};

/**
 * The replay's files (core's `replayPaths`): `/recordings/<id>/replay.mp4` and
 * `/recordings/<id>/hls/<file>`, GET and HEAD, with byte ranges (one range; several are answered
 * whole, as HTTP allows). Who may watch is core's `requireWatchable`, for the session cookie's
 * user; anyone who may not gets the same 404 as for a replay that does not exist. Files come from
 * the storage backend (a directory or S3), streamed through this node either way.
 */
export function recordingFilesRouter(options: {
  recordings: Pick<RecordingService, 'requireWatchable'>;
  actorOf: (req: Request) => Promise<Actor>;
  storage: Storage;
  log: Pick<Logger, 'warn'>;
}): Router {
  const router = Router();

  const notFound = (res: Response) => res.status(404).type('text/plain').send('Not found');

  const serve = async (req: Request, res: Response, broadcastId: string, pick: (keys: { hlsKey: string; mp4Key: string }) => string) => {
    if (!uuid.test(broadcastId)) return notFound(res);
    let key: string;
    try {
      key = pick(await options.recordings.requireWatchable(await options.actorOf(req), broadcastId));
    } catch (error) {
      // Every refusal (no such broadcast, a draft, hidden, unpublished, signed-in only) is a 404.
      if (error instanceof ServiceError) return notFound(res);
      throw error;
    }
    const file = await options.storage.stat(key);
    if (!file) return notFound(res);
    const extension = key.slice(key.lastIndexOf('.') + 1);
    res.setHeader('Content-Type', CONTENT_TYPES[extension] ?? 'application/octet-stream');
    res.setHeader('Accept-Ranges', 'bytes');
    // Per viewer (the cookie decides), and short: an unpublished replay stops playing within a minute.
    res.setHeader('Cache-Control', 'private, max-age=60');
    res.setHeader('Vary', 'Cookie');
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    if (file.lastModified) res.setHeader('Last-Modified', file.lastModified.toUTCString());

    let range: { start: number; end: number } | undefined;
    const header = req.headers.range;
    if (header && file.size > 0) {
      const parsed = parseRange(file.size, header, { combine: true });
      if (parsed === -1) {
        res.setHeader('Content-Range', `bytes */${file.size}`);
        return res.status(416).end();
      }
      // Malformed (-2) or several ranges: the whole file, as HTTP allows.
      if (parsed !== -2 && parsed.type === 'bytes' && parsed.length === 1) range = parsed[0];
    }
    const length = range ? range.end - range.start + 1 : file.size;
    if (range) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
    }
    res.setHeader('Content-Length', String(length));
    if (req.method === 'HEAD' || length === 0) return res.end();
    const body = await options.storage.read(key, range);
    if (!body) return notFound(res);
    body.once('error', (err) => {
      options.log.warn({ key, err: String(err) }, 'reading a recording file failed');
      res.destroy(err);
    });
    res.once('close', () => body.destroy());
    body.pipe(res);
  };

  const handle = (pick: (req: Request) => ((keys: { hlsKey: string; mp4Key: string }) => string) | null) => async (req: Request, res: Response) => {
    const broadcastId = String(req.params.broadcastId);
    const picker = pick(req);
    try {
      if (!picker) return notFound(res);
      await serve(req, res, broadcastId, picker);
    } catch (err) {
      options.log.warn({ broadcastId, err: String(err) }, 'serving a recording file failed');
      if (!res.headersSent) res.status(503).type('text/plain').send('Briefly unavailable');
      else res.destroy();
    }
  };

  router.get(
    '/recordings/:broadcastId/replay.mp4',
    handle(() => (keys) => keys.mp4Key),
  );
  router.get(
    '/recordings/:broadcastId/hls/:file',
    handle((req) => {
      const file = String(req.params.file);
      // The file sits beside the playlist the composition named; nothing else is reachable.
      return hlsFile.test(file) ? (keys) => `${keys.hlsKey.slice(0, keys.hlsKey.lastIndexOf('/') + 1)}${file}` : null;
    }),
  );
  // Anything else under /recordings (a traversal, another name) is not a page either.
  router.all('/recordings/{*rest}', (_req, res) => notFound(res));
  return router;
}
