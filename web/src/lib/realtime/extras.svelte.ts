import type { CaptionLine, ChapterMarkItem, ExtrasState, PollItem } from '@fairground/signaling/protocol';
import { m } from '#lib/paraglide/messages.js';
import { getLocale } from '#lib/paraglide/runtime.js';
import { request, RequestError, session } from './session.svelte';

export type CaptionLanguage = CaptionLine['language'];
export type CaptionSize = 'small' | 'medium' | 'large';
export const CAPTION_SIZES: readonly CaptionSize[] = ['small', 'medium', 'large'];
const LANGUAGES: readonly CaptionLanguage[] = ['en', 'zh-CN'];

/** A viewer's caption settings, remembered on this device (no account needed). */
interface CaptionPrefs {
  on: boolean;
  size: CaptionSize;
  /** The language chosen when both exist; null: the page's language. */
  language: CaptionLanguage | null;
}
const PREFS_KEY = 'fairground.captions';

function loadPrefs(): CaptionPrefs {
  const fallback: CaptionPrefs = { on: true, size: 'medium', language: null };
  try {
    const raw = JSON.parse(localStorage.getItem(PREFS_KEY) ?? 'null') as Partial<CaptionPrefs> | null;
    if (!raw) return fallback;
    return {
      on: raw.on !== false,
      size: CAPTION_SIZES.includes(raw.size as CaptionSize) ? (raw.size as CaptionSize) : 'medium',
      language: LANGUAGES.includes(raw.language as CaptionLanguage) ? (raw.language as CaptionLanguage) : null,
    };
  } catch {
    return fallback;
  }
}

/**
 * A broadcast's captions, polls and chapter marks as reactive state: joined on every (re)connect
 * (`extras:join`), kept current by the pushes. The caption overlay, the captioner's box, the poll
 * panel and the host's "mark chapter" read this and call its actions.
 */
export class BroadcastExtras {
  /** The latest line per language (what is on screen, until it times out or the next one comes). */
  lines = $state<Partial<Record<CaptionLanguage, CaptionLine & { shownUntil: number }>>>({});
  /** Languages heard in this broadcast so far (the language choice appears once there are two). */
  heard = $state<CaptionLanguage[]>([]);
  polls = $state<PollItem[]>([]);
  myVotes = $state<Record<string, number[]>>({});
  marks = $state<ChapterMarkItem[]>([]);
  canCaption = $state(false);
  canHost = $state(false);
  canVote = $state(false);
  open = $state(true);
  ready = $state(false);
  prefs = $state<CaptionPrefs>({ on: true, size: 'medium', language: null });
  /** Ticks while a line is on screen, so an old line goes away after its time. */
  now = $state(Date.now());

  /** The language shown: the one chosen, else the page's, else whichever has lines. */
  readonly language = $derived.by((): CaptionLanguage => {
    const wanted = this.prefs.language ?? (getLocale() === 'zh-CN' ? 'zh-CN' : 'en');
    if (this.heard.includes(wanted) || !this.heard.length) return wanted;
    return this.heard[0]!;
  });
  /** The line to show now in the chosen language, or null. */
  readonly current = $derived.by(() => {
    const line = this.lines[this.language];
    return line && line.shownUntil > this.now ? line : null;
  });
  readonly openPoll = $derived(this.polls.find((p) => p.closedAt === null) ?? null);

  #ticker: ReturnType<typeof setInterval> | null = null;

  constructor(readonly broadcastId: string) {}

  connect(): () => void {
    this.prefs = loadPrefs();
    const broadcastId = this.broadcastId;
    const mine = (p: { broadcastId: string }) => p.broadcastId === broadcastId;
    const join = () =>
      request('extras:join', { broadcastId })
        .then((state) => this.#apply(state))
        .catch(() => {});
    const offs = [
      session.on('caption:line', (line) => {
        if (mine(line)) this.#show(line);
      }),
      session.on('poll:updated', (poll) => {
        if (mine(poll)) this.#upsertPoll(poll);
      }),
      session.on('chapter:marked', (mark) => {
        if (mine(mark) && !this.marks.some((x) => x.id === mark.id)) this.marks = [...this.marks, mark];
      }),
      session.room(join, { shown: false }),
    ];
    this.#ticker = setInterval(() => (this.now = Date.now()), 500);
    void join();
    return () => {
      offs.forEach((off) => off());
      if (this.#ticker) clearInterval(this.#ticker);
      request('extras:leave', { broadcastId }).catch(() => {});
    };
  }

  #apply(state: ExtrasState): void {
    this.canCaption = state.canCaption;
    this.canHost = state.canHost;
    this.canVote = state.canVote;
    this.open = state.open;
    this.polls = state.polls;
    this.myVotes = state.myVotes;
    this.marks = state.marks;
    // A line from before this join shows only if it would still be on screen by now.
    const sinceStart = Date.now() - Date.parse(state.startsAt);
    for (const line of state.captions) this.#show(line, Date.now() + (line.endMs - sinceStart));
    this.ready = true;
  }

  #show(line: CaptionLine, until = Date.now() + (line.endMs - line.startMs)): void {
    this.lines = { ...this.lines, [line.language]: { ...line, shownUntil: until } };
    if (!this.heard.includes(line.language)) this.heard = LANGUAGES.filter((l) => l === line.language || this.heard.includes(l));
    this.now = Date.now();
  }

  #upsertPoll(poll: PollItem): void {
    const i = this.polls.findIndex((p) => p.id === poll.id);
    // Pushes from several nodes may arrive out of order: never go back to fewer voters.
    if (i === -1) this.polls = [...this.polls, poll];
    else if (poll.voters >= this.polls[i]!.voters || poll.closedAt) this.polls = this.polls.map((p) => (p.id === poll.id ? poll : p));
  }

  setPrefs(change: Partial<CaptionPrefs>): void {
    this.prefs = { ...this.prefs, ...change };
    try {
      localStorage.setItem(PREFS_KEY, JSON.stringify(this.prefs));
    } catch {
      // Private browsing: the choice lasts for this page only.
    }
  }

  /** A refusal as the page words it. */
  errorText(e: unknown): string {
    if (!(e instanceof RequestError)) return m.bx_error_generic();
    switch (e.code) {
      case 'RATE_LIMITED':
        return m.bx_error_rate();
      case 'INVALID_PAYLOAD':
        return m.bx_error_invalid();
      case 'CONFLICT':
        return m.bx_error_conflict();
      case 'UNAUTHENTICATED':
        return m.bx_error_sign_in();
      case 'NOT_AUTHORIZED':
        return m.bx_error_not_allowed();
      default:
        return m.bx_error_generic();
    }
  }

  async sendCaption(language: CaptionLanguage, body: string): Promise<void> {
    const line = await request('caption:send', { broadcastId: this.broadcastId, language, body });
    this.#show(line);
  }

  async createPoll(question: string, options: string[], multiple: boolean): Promise<void> {
    this.#upsertPoll(await request('poll:create', { broadcastId: this.broadcastId, question, options, multiple }));
  }

  async vote(pollId: string, choices: number[]): Promise<void> {
    const poll = await request('poll:vote', { broadcastId: this.broadcastId, pollId, choices });
    this.myVotes = { ...this.myVotes, [pollId]: choices };
    this.#upsertPoll(poll);
  }

  async closePoll(pollId: string): Promise<void> {
    this.#upsertPoll(await request('poll:close', { broadcastId: this.broadcastId, pollId }));
  }

  async markChapter(title: string): Promise<ChapterMarkItem> {
    const mark = await request('chapter:mark', { broadcastId: this.broadcastId, title });
    if (!this.marks.some((x) => x.id === mark.id)) this.marks = [...this.marks, mark];
    return mark;
  }
}
