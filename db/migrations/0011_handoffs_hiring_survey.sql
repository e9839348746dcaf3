CREATE TYPE "public"."hiring_stage" AS ENUM('next_round', 'offer_made', 'offer_accepted', 'hired', 'not_a_fit');--> statement-breakpoint
CREATE TYPE "public"."panel_role" AS ENUM('recruiter', 'interpreter');--> statement-breakpoint
CREATE TYPE "public"."survey_respondent" AS ENUM('seeker', 'employer');--> statement-breakpoint
CREATE TABLE "candidate_stages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"employer_id" uuid NOT NULL,
	"seeker_id" uuid NOT NULL,
	"interview_id" uuid NOT NULL,
	"booth_id" uuid NOT NULL,
	"stage" "hiring_stage" NOT NULL,
	"occurred_on" date NOT NULL,
	"shared" boolean DEFAULT false NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "candidate_stages_once_uq" UNIQUE("interview_id","stage")
);
--> statement-breakpoint
CREATE TABLE "fair_surveys" (
	"fair_id" uuid PRIMARY KEY NOT NULL,
	"rating_question" text,
	"comment_question" text,
	"sent_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "interview_participants" (
	"interview_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "panel_role" NOT NULL,
	"invited_by" uuid,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "interview_participants_interview_id_user_id_pk" PRIMARY KEY("interview_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "survey_answers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"fair_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"respondent" "survey_respondent" NOT NULL,
	"rating" smallint NOT NULL,
	"comments" text DEFAULT '' NOT NULL,
	"questions" jsonb NOT NULL,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "survey_answers_once_uq" UNIQUE("fair_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "interviews" ADD COLUMN "audio_only" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "queue_entries" ADD COLUMN "assigned_to" uuid;--> statement-breakpoint
ALTER TABLE "queue_entries" ADD COLUMN "assigned_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "candidate_stages" ADD CONSTRAINT "candidate_stages_employer_id_employers_id_fk" FOREIGN KEY ("employer_id") REFERENCES "public"."employers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_stages" ADD CONSTRAINT "candidate_stages_seeker_id_users_id_fk" FOREIGN KEY ("seeker_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_stages" ADD CONSTRAINT "candidate_stages_interview_id_interviews_id_fk" FOREIGN KEY ("interview_id") REFERENCES "public"."interviews"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_stages" ADD CONSTRAINT "candidate_stages_booth_id_booths_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."booths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_stages" ADD CONSTRAINT "candidate_stages_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fair_surveys" ADD CONSTRAINT "fair_surveys_fair_id_fairs_id_fk" FOREIGN KEY ("fair_id") REFERENCES "public"."fairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interview_participants" ADD CONSTRAINT "interview_participants_interview_id_interviews_id_fk" FOREIGN KEY ("interview_id") REFERENCES "public"."interviews"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interview_participants" ADD CONSTRAINT "interview_participants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interview_participants" ADD CONSTRAINT "interview_participants_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_fair_id_fairs_id_fk" FOREIGN KEY ("fair_id") REFERENCES "public"."fairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "candidate_stages_booth_idx" ON "candidate_stages" USING btree ("booth_id","stage");--> statement-breakpoint
CREATE INDEX "candidate_stages_seeker_idx" ON "candidate_stages" USING btree ("seeker_id");--> statement-breakpoint
CREATE INDEX "interview_participants_user_idx" ON "interview_participants" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "queue_entries" ADD CONSTRAINT "queue_entries_assigned_to_users_id_fk" FOREIGN KEY ("assigned_to") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;