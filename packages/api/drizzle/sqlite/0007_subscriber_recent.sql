ALTER TABLE `subscribers` ADD `recent` text;--> statement-breakpoint
ALTER TABLE `subscribers` ADD `recent_from` integer;