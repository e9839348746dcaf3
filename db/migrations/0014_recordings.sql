CREATE TYPE "public"."recording_status" AS ENUM('off', 'idle', 'recording', 'queued', 'composing', 'ready', 'failed');--> statement-breakpoint
CREATE TYPE "public"."replay_visibility" AS ENUM('public', 'signed_in', 'nobody');--> statement-breakpoint
CREATE TABLE "broadcast_recordings" (
	"broadcast_id" uuid PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"status" "recording_status" DEFAULT 'idle' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"duration_ms" integer,
	"hls_key" text,
	"mp4_key" text,
	"error" text,
	"visibility" "replay_visibility" DEFAULT 'public' NOT NULL,
	"published" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recording_segments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"broadcast_id" uuid NOT NULL,
	"producer_id" text NOT NULL,
	"peer_id" text NOT NULL,
	"user_id" uuid,
	"source" text NOT NULL,
	"kind" text NOT NULL,
	"codec" text NOT NULL,
	"node_id" text NOT NULL,
	"file_key" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"bytes" bigint
);
--> statement-breakpoint
ALTER TABLE "broadcast_recordings" ADD CONSTRAINT "broadcast_recordings_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recording_segments" ADD CONSTRAINT "recording_segments_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recording_segments" ADD CONSTRAINT "recording_segments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recording_segments_broadcast_idx" ON "recording_segments" USING btree ("broadcast_id","started_at");