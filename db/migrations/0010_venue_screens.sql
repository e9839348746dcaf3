CREATE TYPE "public"."booth_screen_mode" AS ENUM('camera', 'screen', 'jobs', 'line');--> statement-breakpoint
CREATE TYPE "public"."display_scope" AS ENUM('fair', 'booth');--> statement-breakpoint
CREATE TABLE "booth_screens" (
	"booth_id" uuid PRIMARY KEY NOT NULL,
	"mode" "booth_screen_mode" DEFAULT 'jobs' NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "display_key_failures" (
	"address" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "display_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scope" "display_scope" NOT NULL,
	"fair_id" uuid NOT NULL,
	"booth_id" uuid,
	"name" text NOT NULL,
	"locale" text DEFAULT 'zh-CN' NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "display_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "display_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "display_sessions_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "screen_comparisons" (
	"fair_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"salary_min" integer NOT NULL,
	"salary_max" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ends_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "booth_screens" ADD CONSTRAINT "booth_screens_booth_id_booths_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."booths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booth_screens" ADD CONSTRAINT "booth_screens_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "display_keys" ADD CONSTRAINT "display_keys_fair_id_fairs_id_fk" FOREIGN KEY ("fair_id") REFERENCES "public"."fairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "display_keys" ADD CONSTRAINT "display_keys_booth_id_booths_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."booths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "display_keys" ADD CONSTRAINT "display_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "display_sessions" ADD CONSTRAINT "display_sessions_key_id_display_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."display_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screen_comparisons" ADD CONSTRAINT "screen_comparisons_fair_id_fairs_id_fk" FOREIGN KEY ("fair_id") REFERENCES "public"."fairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screen_comparisons" ADD CONSTRAINT "screen_comparisons_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "display_keys_fair_idx" ON "display_keys" USING btree ("fair_id");--> statement-breakpoint
CREATE INDEX "display_keys_booth_idx" ON "display_keys" USING btree ("booth_id");--> statement-breakpoint
CREATE INDEX "display_sessions_key_idx" ON "display_sessions" USING btree ("key_id");