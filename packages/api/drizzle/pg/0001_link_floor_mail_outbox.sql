CREATE TABLE "mail_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"kind" text NOT NULL,
	"address" text,
	"subscriber_id" text,
	"locale" text,
	"created_at" bigint NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"claimed_until" bigint,
	"attempts" integer DEFAULT 0 NOT NULL,
	"done_at" bigint,
	"outcome" text,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "link_floor" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "mail_outbox_due_idx" ON "mail_outbox" USING btree ("done_at","next_attempt_at");--> statement-breakpoint
CREATE INDEX "mail_outbox_subscriber_idx" ON "mail_outbox" USING btree ("tenant_id","subscriber_id","kind","created_at");--> statement-breakpoint
-- Records made before link_floor existed: a revoked link of theirs stays refused; an expired one still unsubscribes.
UPDATE "subscribers" SET "link_floor" = "link_version";