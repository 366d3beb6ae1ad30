CREATE TABLE `mail_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`address` text,
	`subscriber_id` text,
	`locale` text,
	`created_at` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`claimed_until` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`done_at` integer,
	`outcome` text,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `mail_outbox_due_idx` ON `mail_outbox` (`done_at`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_subscriber_idx` ON `mail_outbox` (`tenant_id`,`subscriber_id`,`kind`,`created_at`);--> statement-breakpoint
ALTER TABLE `subscribers` ADD `link_floor` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Records made before link_floor existed: a revoked link of theirs stays refused; an expired one still unsubscribes.
UPDATE `subscribers` SET `link_floor` = `link_version`;