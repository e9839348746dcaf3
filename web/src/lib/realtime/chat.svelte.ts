import type { BroadcastChatLine, BroadcastChatState, BroadcastQuestionItem, ChatLimits } from '@fairground/signaling/protocol';
import { m } from '#lib/paraglide/messages.js';
import { request, RequestError, session } from './session.svelte';

/** How many chat lines the page keeps in memory (the page's own bound, not a server rule). */
const KEEP_MESSAGES = 200;
/** Slow-mode presets a moderator picks from; the server's maximum cuts the list. */
const SLOW_PRESETS = [0, 5, 10, 30, 60, 120];

/**
 * A broadcast's live chat and Q&A as reactive state: the history (fetched again on every
 * (re)connect, which the session runs once per connection), the pushes, what this user may do,
 * and the server's limits. The chat components read this and call its actions.
 */
export class ChatRoom {
  messages = $state<BroadcastChatLine[]>([]);
  questions = $state<BroadcastQuestionItem[]>([]);
  slowModeSeconds = $state(0);
  canPost = $state(false);
  open = $state(true);
  canModerate = $state(false);
  muted = $state(false);
  myVotes = $state<string[]>([]);
  mutedUserIds = $state<string[]>([]);
  /** From the server (the `chat:join` ack); null until then. */
  limits = $state<ChatLimits | null>(null);
  ready = $state(false);
  busy = $state(false);
  /** A failure to show under the chat composer, the question form or the moderation tools. */
  chatError = $state('');
  questionError = $state('');
  modError = $state('');
  /** Announced politely to screen readers (a new question by someone else). */
  announcement = $state('');

  /** Questions sorted pinned first, then by votes (most first), then by time asked. */
  readonly sorted = $derived(
    [...this.questions].sort(
      (a, b) => Number(b.pinned) - Number(a.pinned) || b.votes - a.votes || a.askedAt.localeCompare(b.askedAt) || a.id.localeCompare(b.id),
    ),
  );
  readonly slowChoices = $derived(SLOW_PRESETS.filter((s) => s <= (this.limits?.slowModeMaxSeconds ?? 0)));

  /** The message list's scrolling, set by the list component: a new line keeps a reader at the end. */
  scroller: { atEnd(): boolean; toEnd(): void } | null = null;

  constructor(
    readonly broadcastId: string,
    readonly userId: string | null,
  ) {}

  /** Joins the chat (now and after every reconnect) and listens; returns the cleanup. */
  connect(): () => void {
    const broadcastId = this.broadcastId;
    const mine = (p: { broadcastId: string }) => p.broadcastId === broadcastId;
    const join = () =>
      request('chat:join', { broadcastId })
        .then((state) => this.#apply(state))
        .catch(() => (this.chatError = m.bchat_error_generic()));
    const offs = [
      session.on('chat:message', (line) => {
        if (!mine(line) || this.messages.some((x) => x.id === line.id)) return;
        const atEnd = this.scroller?.atEnd() ?? true;
        this.#append(line);
        if (atEnd) this.scroller?.toEnd();
      }),
      session.on('chat:deleted', (p) => {
        if (mine(p)) this.messages = this.messages.filter((x) => x.id !== p.messageId);
      }),
      session.on('chat:settings', (p) => {
        if (mine(p)) this.slowModeSeconds = p.slowModeSeconds;
      }),
      session.on('chat:muted', (p) => {
        if (!mine(p)) return;
        if (p.userId === this.userId) this.muted = p.muted;
        if (this.canModerate) {
          this.mutedUserIds = p.muted ? [...this.mutedUserIds.filter((id) => id !== p.userId), p.userId] : this.mutedUserIds.filter((id) => id !== p.userId);
        }
      }),
      session.on('question:updated', (q) => {
        if (mine(q)) this.#upsertQuestion(q);
      }),
      session.on('question:deleted', (p) => {
        if (mine(p)) this.questions = this.questions.filter((x) => x.id !== p.questionId);
      }),
      // Every (re)connection, including one after a sign-in, gets the recent history afresh.
      session.room(join),
    ];
    void join();
    return () => {
      offs.forEach((off) => off());
      request('chat:leave', { broadcastId }).catch(() => {});
    };
  }

  #apply(state: BroadcastChatState): void {
    this.messages = state.messages;
    this.questions = state.questions;
    this.slowModeSeconds = state.slowModeSeconds;
    this.canPost = state.canPost;
    this.open = state.open;
    this.canModerate = state.canModerate;
    this.muted = state.muted;
    this.myVotes = state.myVotes;
    this.mutedUserIds = state.mutedUserIds;
    this.limits = state.limits;
    this.ready = true;
    this.scroller?.toEnd();
  }

  #append(line: BroadcastChatLine): void {
    this.messages = [...this.messages, line].slice(-KEEP_MESSAGES);
  }

  #upsertQuestion(q: BroadcastQuestionItem): void {
    const i = this.questions.findIndex((x) => x.id === q.id);
    if (i === -1) {
      this.questions = [...this.questions, q];
      if (q.authorId !== this.userId) this.announcement = m.bchat_new_question({ name: q.authorName });
    } else this.questions = this.questions.map((x) => (x.id === q.id ? q : x));
  }

  /** A refusal as the page words it. */
  errorText(e: unknown, max: number): string {
    if (!(e instanceof RequestError)) return m.bchat_error_generic();
    switch (e.code) {
      case 'MUTED':
        return m.bchat_error_muted();
      case 'SLOW_MODE':
        return m.bchat_error_slow({ seconds: e.retryAfterSeconds ?? this.slowModeSeconds });
      case 'RATE_LIMITED':
        return m.bchat_error_rate({ seconds: e.retryAfterSeconds ?? 10 });
      case 'INVALID_PAYLOAD':
        return m.bchat_error_too_long({ max });
      case 'CONFLICT':
        return m.bchat_error_ended();
      case 'UNAUTHENTICATED':
        return m.bchat_error_sign_in();
      case 'NOT_AUTHORIZED':
        return m.bchat_error_not_allowed();
      default:
        return m.bchat_error_generic();
    }
  }

  /** Posts a chat message; resolves true when sent. */
  async send(body: string): Promise<boolean> {
    if (!body || this.busy) return false;
    this.busy = true;
    this.chatError = '';
    try {
      const line = await request('chat:send', { broadcastId: this.broadcastId, body });
      if (!this.messages.some((x) => x.id === line.id)) this.#append(line);
      this.scroller?.toEnd();
      return true;
    } catch (e) {
      this.chatError = this.errorText(e, this.limits?.messageMaxLength ?? body.length);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Asks a question; resolves true when asked. */
  async ask(body: string): Promise<boolean> {
    if (!body || this.busy) return false;
    this.busy = true;
    this.questionError = '';
    try {
      this.#upsertQuestion(await request('question:ask', { broadcastId: this.broadcastId, body }));
      return true;
    } catch (e) {
      this.questionError = this.errorText(e, this.limits?.questionMaxLength ?? body.length);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async vote(q: BroadcastQuestionItem): Promise<void> {
    this.questionError = '';
    try {
      this.#upsertQuestion(await request('question:vote', { broadcastId: this.broadcastId, questionId: q.id }));
      if (!this.myVotes.includes(q.id)) this.myVotes = [...this.myVotes, q.id];
    } catch (e) {
      this.questionError = this.errorText(e, this.limits?.questionMaxLength ?? 0);
    }
  }

  /** A moderator's action; its effect arrives as a push to everyone, this tab included. */
  async #moderate(run: () => Promise<unknown>): Promise<void> {
    this.modError = '';
    try {
      await run();
    } catch (e) {
      this.modError = this.errorText(e, this.limits?.messageMaxLength ?? 0);
    }
  }

  setSlowMode = (seconds: number) => this.#moderate(() => request('chat:slow-mode', { broadcastId: this.broadcastId, seconds }));
  deleteMessage = (messageId: string) => this.#moderate(() => request('chat:delete', { broadcastId: this.broadcastId, messageId }));
  setMuted = (userId: string, muted: boolean) => this.#moderate(() => request('chat:mute', { broadcastId: this.broadcastId, userId, muted }));
  pin = (q: BroadcastQuestionItem) => this.#moderate(() => request('question:pin', { broadcastId: this.broadcastId, questionId: q.id, pinned: !q.pinned }));
  answer = (q: BroadcastQuestionItem) =>
    this.#moderate(() => request('question:answer', { broadcastId: this.broadcastId, questionId: q.id, answered: !q.answered }));
  removeQuestion = (q: BroadcastQuestionItem) => this.#moderate(() => request('question:delete', { broadcastId: this.broadcastId, questionId: q.id }));
}
