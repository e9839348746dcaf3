import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordingSegment } from '@fairground/core';
import { composeReplay } from './compose.ts';

/** A closed segment row whose file is on `nodeId`'s disk (here: nowhere). */
const segment = (nodeId: string): RecordingSegment => ({
  id: 'seg-1',
  broadcastId: 'b-1',
  producerId: 'p-1',
  peerId: 'peer',
  userId: null,
  source: 'camera',
  kind: 'video',
  codec: 'video/VP8',
  nodeId,
  fileKey: 'recordings/b-1/segments/s.mkv',
  startedAt: new Date('2026-12-07T00:00:00Z'),
  endedAt: new Date('2026-12-07T00:01:00Z'),
  bytes: 1000,
});

/**
 * The composition job runs on whichever node takes it. Without S3 a segment's file is on the disk
 * of the node that recorded it, so a node with none of them retries (throws) rather than giving the
 * replay up; with nothing anywhere that is its own to find, it is failed at once.
 */
describe('composeReplay on a node without the segment files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fairground-compose-'));
  const run = (segmentNode: string, thisNode: string | undefined) => {
    const failed: string[] = [];
    const deps = {
      recordings: {
        segments: async () => [segment(segmentNode)],
        composing: async () => {},
        ready: async () => true,
        failed: async (_id: string, error: string) => void failed.push(error),
      },
      dir,
      ffmpeg: 'ffmpeg',
      log: { info: () => {}, warn: () => {} },
      hosts: async () => [],
      nodeId: thisNode,
    };
    return { failed, done: composeReplay(deps, 'b-1', new Date('2026-12-07T00:01:00Z')) };
  };

  it('is retried when another node wrote them', async () => {
    const { failed, done } = run('node-b', 'node-a');
    await expect(done).rejects.toThrow(/node node-b wrote them/);
    expect(failed).toEqual([]);
  });

  it('fails the replay when this node wrote them and they are gone', async () => {
    const { failed, done } = run('node-a', 'node-a');
    await done;
    expect(failed).toEqual(['No recorded media']);
  });
});
