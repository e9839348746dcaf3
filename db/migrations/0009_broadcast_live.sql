CREATE TYPE "public"."caption_language" AS ENUM('en', 'zh-CN');--> statement-breakpoint
CREATE TABLE "broadcast_captioners" (
	"broadcast_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"assigned_by" uuid,
	"assigned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "broadcast_captioners_broadcast_id_user_id_pk" PRIMARY KEY("broadcast_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "broadcast_captions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"broadcast_id" uuid NOT NULL,
	"author_id" uuid,
	"language" "caption_language" NOT NULL,
	"start_ms" integer NOT NULL,
	"end_ms" integer NOT NULL,
	"body" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_at" timestamp with time zone,
	CONSTRAINT "broadcast_captions_span" CHECK ("broadcast_captions"."end_ms" > "broadcast_captions"."start_ms" and "broadcast_captions"."start_ms" >= 0)
);
--> statement-breakpoint
CREATE TABLE "broadcast_chapter_marks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"broadcast_id" uuid NOT NULL,
	"title" text NOT NULL,
	"at_ms" integer NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "broadcast_chapter_marks_at" CHECK ("broadcast_chapter_marks"."at_ms" >= 0)
);
--> statement-breakpoint
CREATE TABLE "broadcast_poll_votes" (
	"poll_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"choices" integer[] NOT NULL,
	"voted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "broadcast_poll_votes_poll_id_user_id_pk" PRIMARY KEY("poll_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "broadcast_polls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"broadcast_id" uuid NOT NULL,
	"question" text NOT NULL,
	"options" jsonb NOT NULL,
	"multiple" boolean DEFAULT false NOT NULL,
	"created_by" uuid,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "broadcast_captioners" ADD CONSTRAINT "broadcast_captioners_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_captioners" ADD CONSTRAINT "broadcast_captioners_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_captioners" ADD CONSTRAINT "broadcast_captioners_assigned_by_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_captions" ADD CONSTRAINT "broadcast_captions_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_captions" ADD CONSTRAINT "broadcast_captions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_chapter_marks" ADD CONSTRAINT "broadcast_chapter_marks_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_chapter_marks" ADD CONSTRAINT "broadcast_chapter_marks_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_poll_votes" ADD CONSTRAINT "broadcast_poll_votes_poll_id_broadcast_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."broadcast_polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_poll_votes" ADD CONSTRAINT "broadcast_poll_votes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_polls" ADD CONSTRAINT "broadcast_polls_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_polls" ADD CONSTRAINT "broadcast_polls_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "broadcast_captions_broadcast_idx" ON "broadcast_captions" USING btree ("broadcast_id","language","start_ms");--> statement-breakpoint
CREATE INDEX "broadcast_chapter_marks_broadcast_idx" ON "broadcast_chapter_marks" USING btree ("broadcast_id","at_ms");--> statement-breakpoint
CREATE INDEX "broadcast_polls_broadcast_idx" ON "broadcast_polls" USING btree ("broadcast_id","opened_at");--> statement-breakpoint
CREATE UNIQUE INDEX "broadcast_polls_one_open" ON "broadcast_polls" USING btree ("broadcast_id") WHERE "broadcast_polls"."closed_at" is null;