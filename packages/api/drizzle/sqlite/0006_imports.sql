CREATE TABLE `import_errors` (
	`import_id` text NOT NULL,
	`line` integer NOT NULL,
	`subscriber_id` text,
	`column` text,
	`reason` text NOT NULL,
	PRIMARY KEY(`import_id`, `line`)
);
--> statement-breakpoint
CREATE TABLE `imports` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`state` text NOT NULL,
	`mode` text NOT NULL,
	`dry_run` integer NOT NULL,
	`format` text NOT NULL,
	`file_name` text,
	`actor` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`heartbeat_at` integer,
	`cancel_requested` integer NOT NULL,
	`read` integer NOT NULL,
	`created` integer NOT NULL,
	`updated` integer NOT NULL,
	`unchanged` integer NOT NULL,
	`skipped` integer NOT NULL,
	`failed` integer NOT NULL,
	`kept` integer NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `imports_tenant_idx` ON `imports` (`tenant_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `consent_events` ADD `proof` text;