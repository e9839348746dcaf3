/**
 * A media node in a process of its own, for media-pipes.test.ts: a MediaServer answering JSON
 * messages over the IPC channel (`process.send`), as a remote node would answer the ones signaling
 * relays. Calls: `{ id, call, args }` -> `{ id, ok, value }` or `{ id, ok: false, error: { code,
 * message } }`; every pipe and producer event goes up as `{ event, payload }`.
 * Run with `node --import tsx`; MEDIA_NODE_OPTIONS holds the MediaServerOptions as JSON.
 */
import { createMediaServer, MediaError, type MediaServer } from './index.ts';

type Call = { id: number; call: string; args: unknown[] };

const CALLS = new Set(['request', 'createPlainTransport', 'produce', 'closeProducer', 'pauseProducer', 'resumeProducer', 'stats', 'producers']);

const media: MediaServer = await createMediaServer(JSON.parse(process.env.MEDIA_NODE_OPTIONS!));
for (const event of ['pipe-export', 'pipe-closed', 'producer-closed', 'room-reset', 'room-closed'] as const) {
  media.on(event, (payload: unknown) => process.send!({ event, payload }));
}

process.on('message', (msg: Call) => {
  const run = async () => {
    if (!CALLS.has(msg.call)) throw new MediaError('MEDIA_REJECTED', `No call ${msg.call}`);
    return (media[msg.call as 'stats'] as (...a: unknown[]) => Promise<unknown>).apply(media, msg.args);
  };
  run().then(
    (value) => process.send!({ id: msg.id, ok: true, value: value ?? null }),
    (error: unknown) =>
      process.send!({
        id: msg.id,
        ok: false,
        error: { code: error instanceof MediaError ? error.code : 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
      }),
  );
});
// The parent going away ends this node (its workers exit with it).
process.on('disconnect', () => void media.close().then(() => process.exit(0)));
process.send!({ ready: true });
