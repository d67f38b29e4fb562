-- Add column "trusted_networks" to table: "tenants"
ALTER TABLE `tenants` ADD COLUMN `trusted_networks` json NULL;
-- Create "throttle_counters" table
CREATE TABLE `throttle_counters` (`id` text NOT NULL, `failures` integer NOT NULL, `last_failure_at` datetime NOT NULL, `wait_until` datetime NOT NULL, `expires_at` datetime NOT NULL, `seq` integer NOT NULL, PRIMARY KEY (`id`));
-- Create index "throttlecounter_expires_at" to table: "throttle_counters"
CREATE INDEX `throttlecounter_expires_at` ON `throttle_counters` (`expires_at`);
-- Create index "throttlecounter_last_failure_at" to table: "throttle_counters"
CREATE INDEX `throttlecounter_last_failure_at` ON `throttle_counters` (`last_failure_at`);
