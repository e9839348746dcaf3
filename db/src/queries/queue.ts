import { sql } from 'drizzle-orm';
import type { Db } from '../connect.ts';
import { queueEntries } from '../schema/index.ts';
import { prepared, toDate, toDateOrNull } from './prepared.ts';

/**
 * The booth line's hot operations, each ONE statement (data-modifying CTEs): the change, its
 * counted funnel event and (for a join) its webhook outbox row commit together or not at all, in
 * one round trip, with no transaction held open across round trips. Named prepared statements
 * (prepared.ts). The rules they enforce are core's (core/src/queue.ts); the statements only say
 * them in SQL.
 */

export type QueueEntryRow = typeof queueEntries.$inferSelect;

/** The advisory-lock namespace of webhook outbox subjects (core/src/outbox.ts): one writer per subject. */
export const OUTBOX_LOCK = 727_300;

const LIVE = sql.raw(`('waiting', 'called', 'interviewing')`);

/**
 * A counted event's data naming its channel (`{"onSite": true}` for a seeker in the hall), from
 * the entry row the statement just wrote: reports split on it (core/src/reports.ts).
 */
const CHANNEL = (row: string) => sql.raw(`jsonb_build_object('onSite', ${row}.on_site)`);

type RawEntry = Record<string, unknown>;

/** A raw `queue_entries` row (as RETURNING gives it) in drizzle's shape. */
function entryOf(r: RawEntry): QueueEntryRow {
  return {
    id: String(r.id),
    seq: Number(r.seq),
    boothId: String(r.booth_id),
    seekerId: String(r.seeker_id),
    status: r.status as QueueEntryRow['status'],
    slot: r.slot == null ? null : Number(r.slot),
    joinedAt: toDate(r.joined_at),
    disconnectedAt: toDateOrNull(r.disconnected_at),
    calledAt: toDateOrNull(r.called_at),
    calledBy: r.called_by == null ? null : String(r.called_by),
    acceptBy: toDateOrNull(r.accept_by),
    skipReason: r.skip_reason == null ? null : String(r.skip_reason),
    endedAt: toDateOrNull(r.ended_at),
    assignedTo: r.assigned_to == null ? null : String(r.assigned_to),
    assignedUntil: toDateOrNull(r.assigned_until),
    onSite: r.on_site === true,
  };
}

const ENTRY_COLUMNS = sql.raw(
  'id, seq, booth_id, seeker_id, status, slot, joined_at, disconnected_at, called_at, called_by, accept_by, skip_reason, ended_at, assigned_to, assigned_until, on_site',
);

export type JoinOutcome =
  | { kind: 'no_booth' }
  | { kind: 'created'; entry: QueueEntryRow; position: number }
  | { kind: 'existing'; entry: QueueEntryRow; position: number }
  | { kind: 'closed' }
  | { kind: 'full' }
  /** Lost a race to a concurrent join of the same seeker (same booth, or the same free slot): try again. */
  | { kind: 'raced' };

/**
 * Joins a seeker to a booth's line in one statement. The per-seeker limit is a slot 1..max per
 * live entry under a unique index (`queue_entries_seeker_slot_uq`), so concurrent joins on any
 * number of connections or nodes cannot exceed it; a join that loses a slot (or a same-booth
 * duplicate) to a concurrent one inserts nothing (`on conflict do nothing` waits for the other to
 * commit first) and reports `raced`, and the caller runs it again on a fresh snapshot.
 * The outbox row's per-subject advisory lock is taken (materialized CTE) before its `seq` is
 * drawn, as `enqueueWebhookEvent` does, so a booth's events commit in `seq` order.
 */
export async function joinQueueStatement(
  db: Db,
  args: { boothId: string; seekerId: string; open: boolean; onSite: boolean; maxLines: number; messageId: string; at: Date },
): Promise<JoinOutcome> {
  const statement = prepared<RawEntry>(
    db,
    'queue_join',
    () => sql`
      with booth as (
        select b.id, b.employer_id, b.fair_id, f.status = 'live' as fair_live
        from booths b join fairs f on f.id = b.fair_id
        where b.id = ${sql.placeholder('boothId')}::uuid and b.status = 'approved'
      ),
      live as (
        select q.id, q.booth_id, q.slot from queue_entries q
        where q.seeker_id = ${sql.placeholder('seekerId')}::uuid and q.status in ${LIVE}
      ),
      free_slot as (
        select s.n as slot from generate_series(1, ${sql.placeholder('maxLines')}::int) s(n)
        where not exists (select 1 from live where live.slot = s.n)
        order by s.n limit 1
      ),
      inserted as (
        insert into queue_entries (booth_id, seeker_id, slot, on_site)
        select booth.id, ${sql.placeholder('seekerId')}::uuid, free_slot.slot, ${sql.placeholder('onSite')}::boolean
        from booth, free_slot
        where booth.fair_live and ${sql.placeholder('open')}::boolean
          and not exists (select 1 from live where live.booth_id = booth.id)
          and (select count(*) from live) < ${sql.placeholder('maxLines')}::int
        on conflict do nothing
        returning ${ENTRY_COLUMNS}
      ),
      counted as (
        insert into counted_events (id, kind, room_id, actor, data, occurred_at)
        select 'queue_joined:' || inserted.id, 'queue_joined', inserted.booth_id, inserted.seeker_id::text, ${CHANNEL('inserted')}, ${sql.placeholder('at')}::timestamptz
        from inserted
        on conflict do nothing
      ),
      outbox_lock as materialized (
        select pg_advisory_xact_lock(${OUTBOX_LOCK}, hashtext('booth:' || inserted.booth_id::text)) from inserted
      ),
      outbox as (
        insert into webhook_events (id, type, subject, employer_id, fair_id, payload, created_at)
        select ${sql.placeholder('messageId')}::text, 'queue.joined', 'booth:' || booth.id::text, booth.employer_id, booth.fair_id,
          jsonb_build_object(
            'type', 'queue.joined',
            'timestamp', to_char(${sql.placeholder('at')}::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'data', jsonb_build_object(
              'boothId', booth.id, 'fairId', booth.fair_id, 'employerId', booth.employer_id,
              'entryId', inserted.id, 'seekerId', inserted.seeker_id, 'onSite', inserted.on_site,
              'joinedAt', to_char(inserted.joined_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
          ${sql.placeholder('at')}::timestamptz
        from inserted, booth, outbox_lock
      ),
      mine as (
        select 'created' as outcome, ${ENTRY_COLUMNS} from inserted
        union all
        select 'existing' as outcome, ${ENTRY_COLUMNS} from queue_entries q
        where q.seeker_id = ${sql.placeholder('seekerId')}::uuid and q.booth_id = ${sql.placeholder('boothId')}::uuid and q.status in ${LIVE}
      )
      select
        exists (select 1 from booth) as booth_found,
        coalesce((select fair_live from booth), false) as fair_live,
        (select count(*)::int from live) as live_count,
        (select count(*)::int from queue_entries w
          where w.booth_id = ${sql.placeholder('boothId')}::uuid and w.status = 'waiting' and w.seq < mine.seq) as ahead,
        mine.*
      from (select 1) one left join mine on true
      order by mine.outcome limit 1`,
  );
  const [row] = await statement.run({ ...args, at: args.at.toISOString() });
  if (!row || !row.booth_found) return { kind: 'no_booth' };
  if (row.outcome === 'created' || row.outcome === 'existing') {
    return { kind: row.outcome, entry: entryOf(row), position: Number(row.ahead) + 1 };
  }
  if (!row.fair_live || !args.open) return { kind: 'closed' };
  if (Number(row.live_count) >= args.maxLines) return { kind: 'full' };
  return { kind: 'raced' };
}

/** The seeker leaves a booth's line (or declines a call), with its counted event; null when not in it. */
export async function leaveQueueStatement(db: Db, args: { boothId: string; seekerId: string; at: Date }): Promise<QueueEntryRow | null> {
  const statement = prepared<RawEntry>(
    db,
    'queue_leave',
    () => sql`
      with gone as (
        update queue_entries set status = 'left', ended_at = ${sql.placeholder('at')}::timestamptz
        where booth_id = ${sql.placeholder('boothId')}::uuid and seeker_id = ${sql.placeholder('seekerId')}::uuid
          and status in ('waiting', 'called')
        returning ${ENTRY_COLUMNS}
      ),
      counted as (
        insert into counted_events (id, kind, room_id, actor, data, occurred_at)
        select 'queue_left:' || gone.id, 'queue_left', gone.booth_id, gone.seeker_id::text, ${CHANNEL('gone')}, ${sql.placeholder('at')}::timestamptz
        from gone
        on conflict do nothing
      ),
      -- A booked seeker who leaves or declines at their slot's time did not keep it.
      booking as (
        update slot_bookings set outcome = 'no_show'
        where entry_id in (select id from gone) and outcome is null
      )
      select * from gone`,
  );
  const [row] = await statement.run({ ...args, at: args.at.toISOString() });
  return row ? entryOf(row) : null;
}

export type CallNextOutcome = { kind: 'no_booth' } | { kind: 'not_staff' } | { kind: 'nobody' } | { kind: 'called'; entry: QueueEntryRow };

/**
 * A recruiter calls the first connected waiting seeker, in one statement: the recruiter must be
 * on the booth's employer's team (checked in the same snapshot), the row is taken with
 * `for update skip locked` (two recruiters calling at once get two different seekers, nobody is
 * skipped), and the `called` event is counted with it. A seeker transferred to a colleague
 * (core/src/handoffs.ts) is that colleague's next, and passed over by the others while the hold lasts.
 */
export async function callNextStatement(db: Db, args: { boothId: string; recruiterId: string; acceptSeconds: number; at: Date }): Promise<CallNextOutcome> {
  const statement = prepared<RawEntry>(
    db,
    'queue_call_next',
    () => sql`
      with booth as (
        select b.employer_id from booths b where b.id = ${sql.placeholder('boothId')}::uuid and b.status = 'approved'
      ),
      staff as (
        select 1 from employer_members m, booth
        where m.user_id = ${sql.placeholder('recruiterId')}::uuid and m.employer_id = booth.employer_id
      ),
      called as (
        update queue_entries
        set status = 'called', called_at = now(), called_by = ${sql.placeholder('recruiterId')}::uuid,
            accept_by = now() + make_interval(secs => ${sql.placeholder('acceptSeconds')}::int)
        where id = (
          select q.id from queue_entries q
          where q.booth_id = ${sql.placeholder('boothId')}::uuid and q.status = 'waiting' and q.disconnected_at is null
            and exists (select 1 from staff)
            -- A booked seeker (core/src/slots.ts: their seq is below every walk-up's) is called by
            -- the recruiter they booked only; others take the walk-up line behind them.
            and not exists (
              select 1 from slot_bookings sb
              where sb.entry_id = q.id and sb.recruiter_id <> ${sql.placeholder('recruiterId')}::uuid
            )
            and (q.assigned_to is null or q.assigned_to = ${sql.placeholder('recruiterId')}::uuid or q.assigned_until < now())
          order by (q.assigned_to = ${sql.placeholder('recruiterId')}::uuid and q.assigned_until >= now()) is true desc, q.seq limit 1
          for update skip locked
        )
        returning ${ENTRY_COLUMNS}
      ),
      counted as (
        insert into counted_events (id, kind, room_id, actor, data, occurred_at)
        select 'called:' || called.id, 'called', called.booth_id, called.seeker_id::text, ${CHANNEL('called')}, ${sql.placeholder('at')}::timestamptz
        from called
        on conflict do nothing
      )
      select exists (select 1 from booth) as booth_found, exists (select 1 from staff) as is_staff, called.*
      from (select 1) one left join called on true`,
  );
  const [row] = await statement.run({ ...args, at: args.at.toISOString() });
  if (!row || !row.booth_found) return { kind: 'no_booth' };
  if (!row.is_staff) return { kind: 'not_staff' };
  if (row.id == null) return { kind: 'nobody' };
  return { kind: 'called', entry: entryOf(row) };
}
