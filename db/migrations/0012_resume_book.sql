CREATE TYPE "public"."candidate_invitation_kind" AS ENUM('booth', 'job');--> statement-breakpoint
CREATE TYPE "public"."candidate_invitation_status" AS ENUM('pending', 'accepted', 'declined');--> statement-breakpoint
CREATE TYPE "public"."seeker_view_kind" AS ENUM('search_result', 'profile', 'resume');--> statement-breakpoint
CREATE TABLE "candidate_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"booth_id" uuid NOT NULL,
	"fair_id" uuid NOT NULL,
	"employer_id" uuid NOT NULL,
	"seeker_id" uuid NOT NULL,
	"invited_by" uuid,
	"kind" "candidate_invitation_kind" NOT NULL,
	"job_id" uuid,
	"target" text NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"status" "candidate_invitation_status" DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "resume_book_opt_ins" (
	"fair_id" uuid NOT NULL,
	"seeker_id" uuid NOT NULL,
	"opted_in_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resume_book_opt_ins_fair_id_seeker_id_pk" PRIMARY KEY("fair_id","seeker_id")
);
--> statement-breakpoint
CREATE TABLE "seeker_views" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"seeker_id" uuid NOT NULL,
	"employer_id" uuid NOT NULL,
	"viewer_id" uuid,
	"fair_id" uuid,
	"kind" "seeker_view_kind" NOT NULL,
	"viewed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "seeker_profiles" ADD COLUMN "graduation_year" integer;--> statement-breakpoint
ALTER TABLE "candidate_invitations" ADD CONSTRAINT "candidate_invitations_booth_id_booths_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."booths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_invitations" ADD CONSTRAINT "candidate_invitations_fair_id_fairs_id_fk" FOREIGN KEY ("fair_id") REFERENCES "public"."fairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_invitations" ADD CONSTRAINT "candidate_invitations_employer_id_employers_id_fk" FOREIGN KEY ("employer_id") REFERENCES "public"."employers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_invitations" ADD CONSTRAINT "candidate_invitations_seeker_id_users_id_fk" FOREIGN KEY ("seeker_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_invitations" ADD CONSTRAINT "candidate_invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_invitations" ADD CONSTRAINT "candidate_invitations_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resume_book_opt_ins" ADD CONSTRAINT "resume_book_opt_ins_fair_id_fairs_id_fk" FOREIGN KEY ("fair_id") REFERENCES "public"."fairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resume_book_opt_ins" ADD CONSTRAINT "resume_book_opt_ins_seeker_id_users_id_fk" FOREIGN KEY ("seeker_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seeker_views" ADD CONSTRAINT "seeker_views_seeker_id_users_id_fk" FOREIGN KEY ("seeker_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seeker_views" ADD CONSTRAINT "seeker_views_employer_id_employers_id_fk" FOREIGN KEY ("employer_id") REFERENCES "public"."employers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seeker_views" ADD CONSTRAINT "seeker_views_viewer_id_users_id_fk" FOREIGN KEY ("viewer_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seeker_views" ADD CONSTRAINT "seeker_views_fair_id_fairs_id_fk" FOREIGN KEY ("fair_id") REFERENCES "public"."fairs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "candidate_invitations_pending_uq" ON "candidate_invitations" USING btree ("booth_id","seeker_id","target") WHERE "candidate_invitations"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "candidate_invitations_seeker_idx" ON "candidate_invitations" USING btree ("seeker_id","created_at");--> statement-breakpoint
CREATE INDEX "candidate_invitations_employer_idx" ON "candidate_invitations" USING btree ("employer_id","created_at");--> statement-breakpoint
CREATE INDEX "resume_book_opt_ins_seeker_idx" ON "resume_book_opt_ins" USING btree ("seeker_id");--> statement-breakpoint
CREATE INDEX "seeker_views_seeker_idx" ON "seeker_views" USING btree ("seeker_id","viewed_at");