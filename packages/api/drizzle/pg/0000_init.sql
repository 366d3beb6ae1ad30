CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"role" text NOT NULL,
	"name" text,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "consent_events" (
	"tenant_id" text NOT NULL,
	"seq" integer NOT NULL,
	"id" text NOT NULL,
	"subscriber_id" text,
	"type" text NOT NULL,
	"source" text NOT NULL,
	"actor" text,
	"before" jsonb,
	"after" jsonb,
	"reason" text,
	"user_agent" text,
	"at" bigint NOT NULL,
	"content_hash" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"erased_at" bigint,
	CONSTRAINT "consent_events_tenant_id_seq_pk" PRIMARY KEY("tenant_id","seq")
);
--> statement-breakpoint
CREATE TABLE "dispatches" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"subscriber_id" text NOT NULL,
	"topic" text NOT NULL,
	"channel" text NOT NULL,
	"message_id" text NOT NULL,
	"at" bigint NOT NULL,
	"enforced" boolean NOT NULL,
	"decision" jsonb NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"secret" text NOT NULL,
	"created_at" bigint NOT NULL,
	"retires_at" bigint
);
--> statement-breakpoint
CREATE TABLE "subscribers" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"email" text,
	"locale" text,
	"timezone" text,
	"status" text NOT NULL,
	"channels" jsonb NOT NULL,
	"topics" jsonb NOT NULL,
	"cap" jsonb,
	"quiet_hours" jsonb,
	"paused_until" bigint,
	"has_caps" boolean DEFAULT false NOT NULL,
	"link_version" integer DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"unsubscribed_at" bigint,
	CONSTRAINT "subscribers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "suppressions" (
	"tenant_id" text NOT NULL,
	"hash" text NOT NULL,
	"kind" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "suppressions_tenant_id_hash_pk" PRIMARY KEY("tenant_id","hash")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"tenant_id" text NOT NULL,
	"key" text NOT NULL,
	"name" jsonb NOT NULL,
	"description" jsonb,
	"category" text NOT NULL,
	"channels" jsonb NOT NULL,
	"default_subscribed" boolean NOT NULL,
	"required" boolean NOT NULL,
	"sort_order" integer NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"deleted_at" bigint,
	CONSTRAINT "topics_tenant_id_key_pk" PRIMARY KEY("tenant_id","key")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscribers" ADD CONSTRAINT "subscribers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topics" ADD CONSTRAINT "topics_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_idx" ON "api_keys" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "api_keys_tenant_idx" ON "api_keys" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "consent_events_id_idx" ON "consent_events" USING btree ("id");--> statement-breakpoint
CREATE INDEX "consent_events_subscriber_idx" ON "consent_events" USING btree ("tenant_id","subscriber_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "dispatches_message_idx" ON "dispatches" USING btree ("tenant_id","message_id");--> statement-breakpoint
CREATE INDEX "dispatches_subscriber_at_idx" ON "dispatches" USING btree ("tenant_id","subscriber_id","at");--> statement-breakpoint
CREATE INDEX "signing_keys_tenant_idx" ON "signing_keys" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "subscribers_email_idx" ON "subscribers" USING btree ("tenant_id","email");