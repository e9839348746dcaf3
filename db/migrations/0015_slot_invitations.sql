ALTER TYPE "public"."candidate_invitation_kind" ADD VALUE 'slot';--> statement-breakpoint
ALTER TABLE "candidate_invitations" ADD COLUMN "slot_id" uuid;--> statement-breakpoint
ALTER TABLE "candidate_invitations" ADD CONSTRAINT "candidate_invitations_slot_id_interview_slots_id_fk" FOREIGN KEY ("slot_id") REFERENCES "public"."interview_slots"("id") ON DELETE cascade ON UPDATE no action;