ALTER TABLE "subscribers" ADD COLUMN "recent" jsonb;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "recent_from" bigint;