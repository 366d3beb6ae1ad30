CREATE TABLE "import_errors" (
	"import_id" text NOT NULL,
	"line" integer NOT NULL,
	"subscriber_id" text,
	"column" text,
	"reason" text NOT NULL,
	CONSTRAINT "import_errors_import_id_line_pk" PRIMARY KEY("import_id","line")
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"state" text NOT NULL,
	"mode" text NOT NULL,
	"dry_run" boolean NOT NULL,
	"format" text NOT NULL,
	"file_name" text,
	"actor" text,
	"created_at" bigint NOT NULL,
	"started_at" bigint,
	"finished_at" bigint,
	"heartbeat_at" bigint,
	"cancel_requested" boolean NOT NULL,
	"read" integer NOT NULL,
	"created" integer NOT NULL,
	"updated" integer NOT NULL,
	"unchanged" integer NOT NULL,
	"skipped" integer NOT NULL,
	"failed" integer NOT NULL,
	"kept" integer NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "consent_events" ADD COLUMN "proof" jsonb;--> statement-breakpoint
CREATE INDEX "imports_tenant_idx" ON "imports" USING btree ("tenant_id","created_at");