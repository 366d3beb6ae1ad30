CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`role` text NOT NULL,
	`name` text,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_idx` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_tenant_idx` ON `api_keys` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `consent_events` (
	`tenant_id` text NOT NULL,
	`seq` integer NOT NULL,
	`id` text NOT NULL,
	`subscriber_id` text,
	`type` text NOT NULL,
	`source` text NOT NULL,
	`actor` text,
	`before` text,
	`after` text,
	`reason` text,
	`user_agent` text,
	`at` integer NOT NULL,
	`content_hash` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	`erased_at` integer,
	PRIMARY KEY(`tenant_id`, `seq`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `consent_events_id_idx` ON `consent_events` (`id`);--> statement-breakpoint
CREATE INDEX `consent_events_subscriber_idx` ON `consent_events` (`tenant_id`,`subscriber_id`,`seq`);--> statement-breakpoint
CREATE TABLE `dispatches` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`subscriber_id` text NOT NULL,
	`topic` text NOT NULL,
	`channel` text NOT NULL,
	`message_id` text NOT NULL,
	`at` integer NOT NULL,
	`enforced` integer NOT NULL,
	`decision` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dispatches_message_idx` ON `dispatches` (`tenant_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `dispatches_subscriber_at_idx` ON `dispatches` (`tenant_id`,`subscriber_id`,`at`);--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`secret` text NOT NULL,
	`created_at` integer NOT NULL,
	`retires_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `signing_keys_tenant_idx` ON `signing_keys` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `subscribers` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`email` text,
	`locale` text,
	`timezone` text,
	`status` text NOT NULL,
	`channels` text NOT NULL,
	`topics` text NOT NULL,
	`cap` text,
	`quiet_hours` text,
	`paused_until` integer,
	`has_caps` integer DEFAULT false NOT NULL,
	`link_version` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`unsubscribed_at` integer,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `subscribers_email_idx` ON `subscribers` (`tenant_id`,`email`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`tenant_id` text NOT NULL,
	`hash` text NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `hash`)
);
--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`settings` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `topics` (
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`category` text NOT NULL,
	`channels` text NOT NULL,
	`default_subscribed` integer NOT NULL,
	`required` integer NOT NULL,
	`sort_order` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	PRIMARY KEY(`tenant_id`, `key`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
