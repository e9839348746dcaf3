import { randomUUID } from 'node:crypto';
import type { RedisClientType } from 'redis';
import type { Logger } from 'pino';
import { MediaError, type MediaErrorCode, type PipeRequest } from '@fairground/media-server';
import type { MediaCall, MediaEventMessage } from './media-calls.ts';

/** What one node asks of another, or tells every node. */
export type NodeMessage =
  /** A media server's pipe message (`MediaServer.request`): answered with its result. */
  | { type: 'media'; request: PipeRequest }
  /** A node's heartbeat expired: drop what came from it (sent to every node by its sweeper). */
  | { type: 'node-gone'; node: string }
  /** Split roles: a signaling node's call of a media node's media server (app/media-calls.ts). */
  | { type: 'media-call'; call: MediaCall }
  /** Split roles: a media node's event about a signaling node's peers (app/media-calls.ts). */
  | { type: 'media-event'; event: MediaEventMessage };

interface Envelope {
  /** Present when the sender waits for an answer. */
  id?: string;
  from: string;
  body: NodeMessage;
}

interface Reply {
  re: string;
  ok: boolean;
  value?: unknown;
  error?: { media: boolean; code?: string; message: string };
}

export interface NodeMessagesOptions {
  /** The command connection (publishes). */
  redis: RedisClientType;
  /** A connection in subscriber mode (the Socket.IO adapter's: one more channel or two on it). */
  sub: RedisClientType;
  prefix: string;
  nodeId: string;
  /** How long a request waits for its answer. */
  timeoutMs: number;
  handle(body: NodeMessage, from: string): Promise<unknown>;
  log: Logger;
}

/**
 * Node-to-node requests over the Redis connections the node already has: each node subscribes to
 * its own channel (and one for everybody); a request is a JSON message with an id and the sender's
 * name, answered on the sender's channel. A node that is not subscribed fails the request at once
 * (PUBLISH answers how many received it), one that does not answer within `timeoutMs` too. A
 * MediaError thrown by the other node comes back as a MediaError with its code.
 */
export class NodeMessages {
  readonly #pending = new Map<string, { to: string; failCode: MediaErrorCode; resolve(v: unknown): void; reject(e: unknown): void; timer: NodeJS.Timeout }>();
  readonly #listener = (raw: string) => void this.#receive(raw);
  readonly #channels: string[];

  constructor(private readonly o: NodeMessagesOptions) {
    this.#channels = [this.#channel(o.nodeId), `${o.prefix}:all`];
  }

  #channel(node: string): string {
    return `${this.o.prefix}:to:${node}`;
  }

  async start(): Promise<void> {
    await this.o.sub.subscribe(this.#channels, this.#listener);
  }

  async stop(): Promise<void> {
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new MediaError('PRODUCER_NOT_FOUND', 'This node is shutting down'));
      this.#pending.delete(id);
    }
    await this.o.sub.unsubscribe(this.#channels, this.#listener).catch(() => {});
  }

  /**
   * Sends `body` to `to` and waits for its answer. Unreachable or silent past the timeout: a
   * MediaError with `failCode` (a pipe's PRODUCER_NOT_FOUND by default; a media call's
   * MEDIA_UNAVAILABLE), so the client is answered with a code and never waits forever.
   */
  async request(to: string, body: NodeMessage, failCode: MediaErrorCode = 'PRODUCER_NOT_FOUND'): Promise<unknown> {
    const id = randomUUID();
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new MediaError(failCode, `Node ${to} did not answer in time`));
      }, this.o.timeoutMs);
      timer.unref();
      this.#pending.set(id, { to, failCode, resolve, reject, timer });
    });
    // It may fail (abandon) while the publish below is still under way, before the caller awaits it.
    answer.catch(() => {});
    const received = await this.#publish(this.#channel(to), { id, from: this.o.nodeId, body }).catch((err: unknown) => {
      this.#settle({ re: id, ok: false, error: { media: false, message: String(err) } });
      return 1;
    });
    if (received === 0) this.#settle({ re: id, ok: false, error: { media: true, code: failCode, message: `Node ${to} is not reachable` } });
    return answer;
  }

  /** `node` was found dead (its heartbeat expired): requests still waiting for it fail now, not at their timeout. */
  abandon(node: string): number {
    let failed = 0;
    for (const [id, p] of [...this.#pending]) {
      if (p.to !== node) continue;
      failed++;
      this.#settle({ re: id, ok: false, error: { media: true, code: p.failCode, message: `Node ${node} is gone` } });
    }
    return failed;
  }

  /** Sends `body` to `to` without waiting (an event relayed); a failure is logged. */
  tell(to: string, body: NodeMessage): void {
    this.#publish(this.#channel(to), { from: this.o.nodeId, body }).catch((err: unknown) => this.o.log.warn({ err: String(err), to }, 'telling a node failed'));
  }

  /** Sends `body` to every node, this one included. */
  tellAll(body: NodeMessage): Promise<number> {
    return this.#publish(`${this.o.prefix}:all`, { from: this.o.nodeId, body });
  }

  #publish(channel: string, message: Envelope | Reply): Promise<number> {
    return this.o.redis.publish(channel, JSON.stringify(message));
  }

  #settle(reply: Reply): void {
    const pending = this.#pending.get(reply.re);
    if (!pending) return;
    this.#pending.delete(reply.re);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.value);
    else if (reply.error?.media) pending.reject(new MediaError(reply.error.code as MediaErrorCode, reply.error.message));
    else pending.reject(new Error(reply.error?.message ?? 'The node failed'));
  }

  async #receive(raw: string): Promise<void> {
    let message: Envelope | Reply;
    try {
      message = JSON.parse(raw) as Envelope | Reply;
    } catch {
      return;
    }
    if ('re' in message) return this.#settle(message);
    const { id, from, body } = message;
    let reply: Reply;
    try {
      reply = { re: id ?? '', ok: true, value: (await this.o.handle(body, from)) ?? null };
    } catch (error) {
      if (!id) this.o.log.warn({ err: String(error), from, type: body.type }, 'a message from another node failed');
      reply = {
        re: id ?? '',
        ok: false,
        error: error instanceof MediaError ? { media: true, code: error.code, message: error.message } : { media: false, message: String(error) },
      };
    }
    if (id) await this.#publish(this.#channel(from), reply).catch((err: unknown) => this.o.log.warn({ err: String(err), from }, 'answering a node failed'));
  }
}
