-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_password_reset_codes" table
CREATE TABLE `new_password_reset_codes` (`id` text NOT NULL, `email_mac` text NOT NULL, `code_mac` text NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `attempts_left` integer NOT NULL, `consumed_at` datetime NULL, `invitation` bool NOT NULL DEFAULT (false), `user_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `password_reset_codes_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Copy rows from old table "password_reset_codes" to new temporary table "new_password_reset_codes"
INSERT INTO `new_password_reset_codes` (`id`, `email_mac`, `code_mac`, `created_at`, `expires_at`, `attempts_left`, `consumed_at`, `user_id`) SELECT `id`, `email_mac`, `code_mac`, `created_at`, `expires_at`, `attempts_left`, `consumed_at`, `user_id` FROM `password_reset_codes`;
-- Drop "password_reset_codes" table after copying rows
DROP TABLE `password_reset_codes`;
-- Rename temporary table "new_password_reset_codes" to "password_reset_codes"
ALTER TABLE `new_password_reset_codes` RENAME TO `password_reset_codes`;
-- Create index "passwordresetcode_email_mac_created_at" to table: "password_reset_codes"
CREATE INDEX `passwordresetcode_email_mac_created_at` ON `password_reset_codes` (`email_mac`, `created_at`);
-- Create index "passwordresetcode_expires_at" to table: "password_reset_codes"
CREATE INDEX `passwordresetcode_expires_at` ON `password_reset_codes` (`expires_at`);
-- Create index "passwordresetcode_user_id_invitation_created_at" to table: "password_reset_codes"
CREATE INDEX `passwordresetcode_user_id_invitation_created_at` ON `password_reset_codes` (`user_id`, `invitation`, `created_at`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
