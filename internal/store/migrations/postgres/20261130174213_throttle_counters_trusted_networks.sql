-- Modify "tenants" table
ALTER TABLE "tenants" ADD COLUMN "trusted_networks" jsonb NULL;
-- Create "throttle_counters" table
CREATE TABLE "throttle_counters" ("id" character varying NOT NULL, "failures" bigint NOT NULL, "last_failure_at" timestamptz NOT NULL, "wait_until" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "seq" bigint NOT NULL, PRIMARY KEY ("id"));
-- Create index "throttlecounter_expires_at" to table: "throttle_counters"
CREATE INDEX "throttlecounter_expires_at" ON "throttle_counters" ("expires_at");
-- Create index "throttlecounter_last_failure_at" to table: "throttle_counters"
CREATE INDEX "throttlecounter_last_failure_at" ON "throttle_counters" ("last_failure_at");
