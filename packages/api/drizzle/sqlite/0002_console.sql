CREATE TABLE `console_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text,
	`tenant_id` text NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`invited_by` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`accepted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `console_invitations_hash_idx` ON `console_invitations` (`hash`);--> statement-breakpoint
CREATE INDEX `console_invitations_tenant_idx` ON `console_invitations` (`tenant_id`,`email`);--> statement-breakpoint
CREATE TABLE `console_sessions` (
	`hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`user_agent` text
);
--> statement-breakpoint
CREATE INDEX `console_sessions_user_idx` ON `console_sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `console_users` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text,
	`role` text NOT NULL,
	`password_hash` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `console_users_email_idx` ON `console_users` (`email`);--> statement-breakpoint
CREATE INDEX `console_users_tenant_idx` ON `console_users` (`tenant_id`);--> statement-breakpoint
ALTER TABLE `mail_outbox` ADD `ref` text;--> statement-breakpoint
CREATE INDEX `subscribers_email_lower_idx` ON `subscribers` (`tenant_id`,lower("email"));