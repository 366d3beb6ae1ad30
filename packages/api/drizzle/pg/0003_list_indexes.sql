CREATE INDEX "subscribers_list_idx" ON "subscribers" USING btree ("tenant_id",("id" COLLATE "C"));--> statement-breakpoint
CREATE INDEX "subscribers_list_status_idx" ON "subscribers" USING btree ("tenant_id","status",("id" COLLATE "C"));--> statement-breakpoint
CREATE INDEX "subscribers_list_caps_idx" ON "subscribers" USING btree ("tenant_id","has_caps",("id" COLLATE "C"));