ALTER TABLE "queue_entries" ADD COLUMN "slot" smallint;--> statement-breakpoint
-- Live entries from before slots existed: each seeker's numbered 1, 2, ... in the order joined.
UPDATE "queue_entries" q SET "slot" = n.slot
FROM (
  SELECT id, row_number() OVER (PARTITION BY seeker_id ORDER BY seq) AS slot
  FROM "queue_entries" WHERE status in ('waiting', 'called', 'interviewing')
) n
WHERE q.id = n.id;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_entries_seeker_slot_uq" ON "queue_entries" USING btree ("seeker_id","slot") WHERE status in ('waiting', 'called', 'interviewing');
