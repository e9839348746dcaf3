import type { Logger } from 'pino';

/**
 * What the clock moves: fairs open and close by their times; broadcasts are announced at their
 * start and closed after their end; interviews nobody ended are closed past their planned length plus a grace period.
 */
export interface ClockDeps {
  fairs: { advanceByClock(now?: Date): Promise<number> };
  broadcasts: {
    announceDue(now?: Date): Promise<Array<{ id: string; title: string }>>;
    /** Records the end of broadcasts past their scheduled end (their `broadcast.ended` webhook). */
    closeDue?(now?: Date): Promise<Array<{ id: string; endsAt: Date }>>;
  };
  /** Sends due slot mails: invites, cancellations, the 24 h and 10 min reminders (SlotService.sendDue). */
  slots?: { sendDue(now?: Date): Promise<number> };
  /** Sends each ended fair's survey invitations once (SurveyService.sendDue). */
  surveys?: { sendDue(now?: Date): Promise<number> };
  /** Closes overdue interviews (InterviewService.closeOverdue with the configured grace). */
  interviews?: { closeOverdue(now: Date): Promise<ClosedInterview[]> };
  /** Told about each broadcast this node announced (exactly one node announces each). */
  onBroadcastLive?(broadcast: { id: string; title: string }): void;
  /** Told about each broadcast this node closed after its end (exactly one node closes each). */
  onBroadcastClosed?(broadcast: { id: string; endsAt: Date }): void;
  /** Told about each interview this node closed (exactly one node closes each). */
  onInterviewClosed?(interview: ClosedInterview): void;
  log: Pick<Logger, 'error' | 'debug'>;
  intervalMs: number;
  now?: () => Date;
}

export interface ClosedInterview {
  id: string;
  boothId: string;
  startedAt: Date | null;
  endedAt: Date | null;
  plannedMinutes: number;
}

export interface Clock {
  /** One pass; never throws (a failed pass is logged and the next one tries again). */
  tick(): Promise<void>;
  /** Stops the timer and waits for a pass in progress; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A periodic job on every node. Running it on several nodes is safe: the services' updates are
 * conditional, so each fair moves and each broadcast is announced once.
 */
export function startClock(deps: ClockDeps): Clock {
  const now = deps.now ?? (() => new Date());
  let running: Promise<void> | null = null;
  let stopped = false;

  const pass = async () => {
    const at = now();
    try {
      const moved = await deps.fairs.advanceByClock(at);
      if (moved) deps.log.debug({ moved }, 'fairs moved by the clock');
    } catch (err) {
      deps.log.error({ err }, 'advancing fairs failed');
    }
    if (deps.surveys) {
      try {
        const mailed = await deps.surveys.sendDue(at);
        if (mailed) deps.log.debug({ mailed }, 'survey invitations sent');
      } catch (err) {
        deps.log.error({ err }, 'sending survey invitations failed');
      }
    }
    try {
      for (const broadcast of await deps.broadcasts.announceDue(at)) {
        try {
          deps.onBroadcastLive?.({ id: broadcast.id, title: broadcast.title });
        } catch (err) {
          deps.log.error({ err, broadcastId: broadcast.id }, 'announcing a broadcast failed');
        }
      }
    } catch (err) {
      deps.log.error({ err }, 'finding due broadcasts failed');
    }
    if (deps.broadcasts.closeDue) {
      try {
        const closed = await deps.broadcasts.closeDue(at);
        if (closed.length) deps.log.debug({ closed: closed.length }, 'broadcasts closed by the clock');
        for (const broadcast of closed) {
          try {
            deps.onBroadcastClosed?.({ id: broadcast.id, endsAt: broadcast.endsAt });
          } catch (err) {
            deps.log.error({ err, broadcastId: broadcast.id }, 'after closing a broadcast');
          }
        }
      } catch (err) {
        deps.log.error({ err }, 'closing ended broadcasts failed');
      }
    }
    if (deps.slots) {
      try {
        const sent = await deps.slots.sendDue(at);
        if (sent) deps.log.debug({ sent }, 'slot mails sent by the clock');
      } catch (err) {
        deps.log.error({ err }, 'sending due slot mails failed');
      }
    }
    if (deps.interviews) {
      try {
        for (const interview of await deps.interviews.closeOverdue(at)) {
          try {
            deps.onInterviewClosed?.(interview);
          } catch (err) {
            deps.log.error({ err, interviewId: interview.id }, 'announcing a closed interview failed');
          }
        }
      } catch (err) {
        deps.log.error({ err }, 'closing overdue interviews failed');
      }
    }
  };

  const tick = () => {
    // A slow database must not pile passes up: one at a time.
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, deps.intervalMs);
  timer.unref();
  // First pass straight away, so a restart does not leave a due fair waiting one interval.
  void tick();

  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
