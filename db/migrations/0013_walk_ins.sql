CREATE TYPE "public"."interview_mode" AS ENUM('video', 'on_site');--> statement-breakpoint
CREATE TYPE "public"."walk_in_contact_kind" AS ENUM('phone', 'email');--> statement-breakpoint
CREATE TABLE "hand_off_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"next" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "walk_ins" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"contact_kind" "walk_in_contact_kind" NOT NULL,
	"contact" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "interviews" ADD COLUMN "mode" "interview_mode" DEFAULT 'video' NOT NULL;--> statement-breakpoint
ALTER TABLE "queue_entries" ADD COLUMN "on_site" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "hand_off_tokens" ADD CONSTRAINT "hand_off_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "walk_ins" ADD CONSTRAINT "walk_ins_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hand_off_tokens_user_idx" ON "hand_off_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "walk_ins_contact_idx" ON "walk_ins" USING btree ("contact","created_at");