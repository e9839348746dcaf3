CREATE TABLE "screen_codes" (
	"fair_id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"previous_code" text,
	"previous_expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "kiosk_check_ins" (
	"fair_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"checked_in_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "kiosk_check_ins_fair_id_user_id_pk" PRIMARY KEY("fair_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "screen_codes" ADD CONSTRAINT "screen_codes_fair_id_fairs_id_fk" FOREIGN KEY ("fair_id") REFERENCES "public"."fairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kiosk_check_ins" ADD CONSTRAINT "kiosk_check_ins_fair_id_fairs_id_fk" FOREIGN KEY ("fair_id") REFERENCES "public"."fairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kiosk_check_ins" ADD CONSTRAINT "kiosk_check_ins_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kiosk_check_ins_fair_idx" ON "kiosk_check_ins" USING btree ("fair_id","expires_at");