CREATE TABLE "console_invitations" (
	"id" text PRIMARY KEY NOT NULL,
	"hash" text,
	"tenant_id" text NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"invited_by" text,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"accepted_at" bigint
);
--> statement-breakpoint
CREATE TABLE "console_sessions" (
	"hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "console_users" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"role" text NOT NULL,
	"password_hash" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "ref" text;--> statement-breakpoint
ALTER TABLE "console_users" ADD CONSTRAINT "console_users_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "console_invitations_hash_idx" ON "console_invitations" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "console_invitations_tenant_idx" ON "console_invitations" USING btree ("tenant_id","email");--> statement-breakpoint
CREATE INDEX "console_sessions_user_idx" ON "console_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "console_users_email_idx" ON "console_users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "console_users_tenant_idx" ON "console_users" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "subscribers_email_lower_idx" ON "subscribers" USING btree ("tenant_id",lower("email"));