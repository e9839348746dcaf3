CREATE TABLE "replay_views" (
	"broadcast_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"identity" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_beat_at" timestamp with time zone NOT NULL,
	"watched_ms" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "replay_views_broadcast_id_session_id_pk" PRIMARY KEY("broadcast_id","session_id")
);
--> statement-breakpoint
ALTER TABLE "replay_views" ADD CONSTRAINT "replay_views_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "replay_views_identity_idx" ON "replay_views" USING btree ("broadcast_id","identity");