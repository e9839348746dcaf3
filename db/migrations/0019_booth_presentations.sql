ALTER TYPE "public"."broadcast_topic" ADD VALUE 'company_presentation';--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "booth_id" uuid;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_booth_id_booths_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."booths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "broadcasts_booth_idx" ON "broadcasts" USING btree ("booth_id","ends_at");