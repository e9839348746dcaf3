CREATE TABLE "broadcast_peaks" (
	"broadcast_id" uuid PRIMARY KEY NOT NULL,
	"peak" integer DEFAULT 0 NOT NULL,
	"peak_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "broadcast_viewer_samples" (
	"broadcast_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"live" integer NOT NULL,
	CONSTRAINT "broadcast_viewer_samples_broadcast_id_at_pk" PRIMARY KEY("broadcast_id","at")
);
--> statement-breakpoint
CREATE TABLE "broadcast_viewers" (
	"broadcast_id" uuid NOT NULL,
	"identity" text NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"views" integer DEFAULT 1 NOT NULL,
	"watched_ms" bigint DEFAULT 0 NOT NULL,
	"watching_since" timestamp with time zone,
	"left_at" timestamp with time zone,
	CONSTRAINT "broadcast_viewers_broadcast_id_identity_pk" PRIMARY KEY("broadcast_id","identity")
);
--> statement-breakpoint
ALTER TABLE "broadcast_peaks" ADD CONSTRAINT "broadcast_peaks_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_viewer_samples" ADD CONSTRAINT "broadcast_viewer_samples_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_viewers" ADD CONSTRAINT "broadcast_viewers_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "broadcast_viewer_samples_at_idx" ON "broadcast_viewer_samples" USING btree ("at");