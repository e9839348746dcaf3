import type { QueueLine, QueuePlace } from '@fairground/signaling/protocol';
import { m } from '#lib/paraglide/messages.js';
import { errorMessage, request, RequestError, session } from './session.svelte';

const inLine = (p: QueuePlace) => p.status === 'waiting' || p.status === 'called' || p.status === 'interviewing';

/**
 * The line places this page knows the signed-in seeker holds, by booth: every read of
 * `queue:places` and every `queue:place` push updates it, on any page (the layout's call alert
 * listens everywhere). The connection notice reads it to say a waiting place is kept meanwhile
 * (the server keeps it for a grace period after the last connection drops).
 */
class HeldPlaces {
  #byBooth = $state<Record<string, QueuePlace>>({});

  /** Places waiting in a line (the ones a dropped connection's grace period keeps). */
  get waiting(): number {
    return Object.values(this.#byBooth).filter((p) => p.status === 'waiting').length;
  }

  replace(places: QueuePlace[]): void {
    this.#byBooth = Object.fromEntries(places.filter(inLine).map((p) => [p.boothId, p]));
  }

  update(place: QueuePlace): void {
    const { [place.boothId]: _old, ...rest } = this.#byBooth;
    this.#byBooth = inLine(place) ? { ...rest, [place.boothId]: place } : rest;
  }

  forget(boothId: string): void {
    const { [boothId]: _old, ...rest } = this.#byBooth;
    this.#byBooth = rest;
  }
}

export const heldPlaces = new HeldPlaces();

/** How long "Reconnected: your place is kept" stays in the queue panel. */
const KEPT_NOTICE_MS = 8000;

/** A seeker's place in one booth's line (the booth page's queue panel). */
export class BoothQueue {
  place = $state<QueuePlace | null>(null);
  busy = $state(false);
  notice = $state('');

  constructor(readonly boothId: string) {}

  /** Listens for this booth's place and reads the place held already (a reload, a second tab). */
  connect(): () => void {
    const load = () =>
      request('queue:places', {}).then((places) => {
        heldPlaces.replace(places);
        this.place = places.find((p) => p.boothId === this.boothId && inLine(p)) ?? null;
      });
    let keptTimer: ReturnType<typeof setTimeout> | undefined;
    /** After a reconnect: read the place again, and say whether the one waiting before is still held. */
    const reload = async () => {
      const before = this.place?.status === 'waiting' ? this.place : null;
      await load();
      if (!before) return;
      const kept = this.place?.entryId === before.entryId;
      this.notice = kept ? m.queue_place_kept() : m.queue_place_lost();
      clearTimeout(keptTimer);
      if (kept) keptTimer = setTimeout(() => this.notice === m.queue_place_kept() && (this.notice = ''), KEPT_NOTICE_MS);
    };
    const offs = [
      session.on('queue:place', (p) => {
        heldPlaces.update(p);
        if (p.boothId !== this.boothId) return;
        this.place = inLine(p) ? p : null;
        if (p.status === 'no_show') this.notice = m.queue_no_show();
      }),
      // A place may have moved while the connection was down.
      session.room(() => void reload().catch(() => {})),
    ];
    void load().catch(() => {});
    return () => {
      clearTimeout(keptTimer);
      offs.forEach((off) => off());
    };
  }

  /** `onSite`: joined from the hall (the booth's walk-in page); the call is to the desk. */
  async join(onSite = false): Promise<void> {
    this.busy = true;
    this.notice = '';
    try {
      this.place = await request('queue:join', onSite ? { boothId: this.boothId, onSite } : { boothId: this.boothId });
      heldPlaces.update(this.place);
    } catch (e) {
      const code = e instanceof RequestError ? e.code : '';
      this.notice = code === 'QUEUE_CLOSED' ? m.queue_closed() : code === 'QUEUE_FULL' ? m.queue_full() : errorMessage(e);
    } finally {
      this.busy = false;
    }
  }

  async leave(): Promise<void> {
    this.busy = true;
    try {
      await request('queue:leave', { boothId: this.boothId });
      heldPlaces.forget(this.boothId);
      this.place = null;
      this.notice = m.queue_left_info();
    } finally {
      this.busy = false;
    }
  }
}

/** A seeker called to an interview, on whatever page they are (the layout's call alert). */
export class IncomingCall {
  call = $state<QueuePlace | null>(null);

  /** `onCalled` runs once per new call (sound, notification, focus). */
  connect(onCalled: (call: QueuePlace) => void, onCleared: () => void): () => void {
    // The places held, read on every page (and again after a reconnect) for the connection notice.
    const load = () =>
      void request('queue:places', {}).then(
        (places) => heldPlaces.replace(places),
        () => {},
      );
    const forget = session.room(load, { shown: false });
    load();
    const off = session.on('queue:place', (p) => {
      heldPlaces.update(p);
      if (p.status === 'called' && this.call?.entryId !== p.entryId) {
        this.call = p;
        onCalled(p);
      } else if (this.call && p.entryId === this.call.entryId && p.status !== 'called') {
        this.clear();
        onCleared();
      }
    });
    return () => {
      off();
      forget();
    };
  }

  clear(): void {
    this.call = null;
  }

  /** Accepts; resolves with the interview to open. */
  async accept(): Promise<string | null> {
    if (!this.call) return null;
    const { interviewId } = await request('queue:accept', { entryId: this.call.entryId });
    this.clear();
    return interviewId;
  }

  async decline(): Promise<void> {
    if (!this.call) return;
    const boothId = this.call.boothId;
    this.clear();
    heldPlaces.forget(boothId);
    await request('queue:leave', { boothId }).catch(() => {});
  }
}

/** A recruiter's view of one booth's line: on duty or not, the line and its numbers, the calls. */
export class StaffLine {
  onDuty = $state(false);
  line = $state<QueueLine | null>(null);
  busy = $state(false);
  problem = $state('');
  /** Interviews colleagues invited this recruiter into. */
  invitedTo = $state<Array<{ interviewId: string; role: 'recruiter' | 'interpreter'; byName: string }>>([]);

  constructor(readonly boothId: string) {}

  /** `onInterview` opens an interview that is ready (this recruiter called the seeker). */
  connect(onInterview: (interviewId: string) => void): () => void {
    const offs = [
      session.on('queue:line', (l) => {
        if (l.boothId === this.boothId) this.line = l;
      }),
      session.on('interview:ready', ({ interviewId }) => onInterview(interviewId)),
      // A colleague invited this recruiter into their interview (a panel): offered, not forced.
      session.on('interview:invited', (invite) => {
        if (!this.invitedTo.some((i) => i.interviewId === invite.interviewId)) this.invitedTo = [...this.invitedTo, invite];
      }),
      // Duty belonged to the old connection: take it up again on the new one.
      session.room(() => {
        if (this.onDuty) void request('queue:duty', { boothId: this.boothId, onDuty: true }).catch(() => {});
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      if (this.onDuty) void request('queue:duty', { boothId: this.boothId, onDuty: false }).catch(() => {});
    };
  }

  async #run(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.problem = '';
    try {
      await action();
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.busy = false;
    }
  }

  setDuty = (value: boolean) =>
    this.#run(async () => {
      await request('queue:duty', { boothId: this.boothId, onDuty: value });
      this.onDuty = value;
    });

  callNext = () =>
    this.#run(async () => {
      const called = await request('queue:call-next', { boothId: this.boothId });
      if (!called) this.problem = m.staff_nobody();
    });

  /** An on-site seeker this recruiter called is at the desk: the interview starts; resolves with it. */
  arrived = async (entryId: string): Promise<string | null> => {
    let interviewId: string | null = null;
    await this.#run(async () => {
      interviewId = (await request('queue:arrived', { boothId: this.boothId, entryId })).interviewId;
    });
    return interviewId;
  };

  callThis = (entryId: string, reason: string) =>
    this.#run(async () => {
      await request('queue:call', { boothId: this.boothId, entryId, reason });
    });
}
