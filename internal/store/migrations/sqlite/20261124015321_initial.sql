-- Create "api_tokens" table
CREATE TABLE `api_tokens` (`id` text NOT NULL, `name` text NOT NULL, `role` text NOT NULL, `token_hash` text NOT NULL, `created_by` text NOT NULL DEFAULT (''), `created_at` datetime NOT NULL, `last_used_at` datetime NULL, `expires_at` datetime NULL, `revoked_at` datetime NULL, `tenant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `api_tokens_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE);
-- Create index "api_tokens_token_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX `api_tokens_token_hash_key` ON `api_tokens` (`token_hash`);
-- Create index "apitoken_tenant_id" to table: "api_tokens"
CREATE INDEX `apitoken_tenant_id` ON `api_tokens` (`tenant_id`);
-- Create "agent_profiles" table
CREATE TABLE `agent_profiles` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `description` text NOT NULL DEFAULT (''), `login_voice_options` json NOT NULL, `dial_number_validation` text NOT NULL DEFAULT ('ANY_FORMAT'), `auto_answer` bool NOT NULL DEFAULT (false), `tenant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `agent_profiles_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE);
-- Create index "agentprofile_tenant_id" to table: "agent_profiles"
CREATE INDEX `agentprofile_tenant_id` ON `agent_profiles` (`tenant_id`);
-- Create index "agentprofile_tenant_id_name" to table: "agent_profiles"
CREATE UNIQUE INDEX `agentprofile_tenant_id_name` ON `agent_profiles` (`tenant_id`, `name`);
-- Create "artworks" table
CREATE TABLE `artworks` (`id` text NOT NULL, `content_type` text NOT NULL, `data` blob NOT NULL, `size` integer NOT NULL, `etag` text NOT NULL, `created_at` datetime NOT NULL, `tenant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `artworks_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE);
-- Create index "artwork_tenant_id" to table: "artworks"
CREATE INDEX `artwork_tenant_id` ON `artworks` (`tenant_id`);
-- Create index "artwork_one_per_tenant" to table: "artworks"
CREATE UNIQUE INDEX `artwork_one_per_tenant` ON `artworks` (`tenant_id`);
-- Create "audit_events" table
CREATE TABLE `audit_events` (`id` text NOT NULL, `tenant_id` text NOT NULL DEFAULT (''), `actor` text NOT NULL, `action` text NOT NULL, `target_type` text NOT NULL DEFAULT (''), `target_id` text NOT NULL DEFAULT (''), `at` datetime NOT NULL, `summary` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- Create index "auditevent_tenant_id_id" to table: "audit_events"
CREATE INDEX `auditevent_tenant_id_id` ON `audit_events` (`tenant_id`, `id`);
-- Create "auth_flows" table
CREATE TABLE `auth_flows` (`id` text NOT NULL, `kind` text NOT NULL, `state_hash` text NOT NULL, `nonce` text NOT NULL, `pkce_verifier` text NOT NULL, `user_id` text NOT NULL DEFAULT (''), `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `consumed_at` datetime NULL, `tenant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `auth_flows_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE);
-- Create index "auth_flows_state_hash_key" to table: "auth_flows"
CREATE UNIQUE INDEX `auth_flows_state_hash_key` ON `auth_flows` (`state_hash`);
-- Create index "authflow_tenant_id" to table: "auth_flows"
CREATE INDEX `authflow_tenant_id` ON `auth_flows` (`tenant_id`);
-- Create "banners" table
CREATE TABLE `banners` (`id` text NOT NULL, `message` text NOT NULL, `severity` text NOT NULL DEFAULT ('INFO'), `created_at` datetime NOT NULL, `resolved_at` datetime NULL, `tenant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `banners_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE);
-- Create index "banner_tenant_id" to table: "banners"
CREATE INDEX `banner_tenant_id` ON `banners` (`tenant_id`);
-- Create index "banner_tenant_id_resolved_at" to table: "banners"
CREATE INDEX `banner_tenant_id_resolved_at` ON `banners` (`tenant_id`, `resolved_at`);
-- Create "desktop_sessions" table
CREATE TABLE `desktop_sessions` (`id` text NOT NULL, `auth_session_id` text NOT NULL DEFAULT (''), `client_id` text NOT NULL, `superseded_client_ids` json NULL, `role` text NOT NULL DEFAULT ('AGENT'), `station_type` text NOT NULL, `dial_number` text NULL, `extension` text NULL, `device_id` text NULL, `team_id` text NOT NULL, `state` text NOT NULL DEFAULT ('IDLE'), `idle_code` text NOT NULL DEFAULT (''), `state_changed_at` datetime NOT NULL, `started_at` datetime NOT NULL, `last_activity_at` datetime NOT NULL, `inactivity_warned_at` datetime NULL, `ended_at` datetime NULL, `end_reason` text NOT NULL DEFAULT (''), `tenant_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `desktop_sessions_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE, CONSTRAINT `desktop_sessions_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "desktopsession_tenant_id" to table: "desktop_sessions"
CREATE INDEX `desktopsession_tenant_id` ON `desktop_sessions` (`tenant_id`);
-- Create index "desktopsession_active_user" to table: "desktop_sessions"
CREATE UNIQUE INDEX `desktopsession_active_user` ON `desktop_sessions` (`user_id`) WHERE ended_at IS NULL;
-- Create index "desktopsession_active_dial_number" to table: "desktop_sessions"
CREATE UNIQUE INDEX `desktopsession_active_dial_number` ON `desktop_sessions` (`tenant_id`, `dial_number`) WHERE ended_at IS NULL;
-- Create index "desktopsession_active_extension" to table: "desktop_sessions"
CREATE UNIQUE INDEX `desktopsession_active_extension` ON `desktop_sessions` (`tenant_id`, `extension`) WHERE ended_at IS NULL;
-- Create index "desktopsession_ended_at_last_activity_at" to table: "desktop_sessions"
CREATE INDEX `desktopsession_ended_at_last_activity_at` ON `desktop_sessions` (`ended_at`, `last_activity_at`);
-- Create "dial_plans" table
CREATE TABLE `dial_plans` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `regular_expression` text NOT NULL, `prefix` text NOT NULL DEFAULT (''), `stripped_chars` text NOT NULL DEFAULT (''), `active` bool NOT NULL DEFAULT (true), `tenant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `dial_plans_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE);
-- Create index "dialplan_tenant_id" to table: "dial_plans"
CREATE INDEX `dialplan_tenant_id` ON `dial_plans` (`tenant_id`);
-- Create index "dialplan_tenant_id_name" to table: "dial_plans"
CREATE UNIQUE INDEX `dialplan_tenant_id_name` ON `dial_plans` (`tenant_id`, `name`);
-- Create "email_domains" table
CREATE TABLE `email_domains` (`id` text NOT NULL, `domain` text NOT NULL, `tenant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `email_domains_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE);
-- Create index "email_domains_domain_key" to table: "email_domains"
CREATE UNIQUE INDEX `email_domains_domain_key` ON `email_domains` (`domain`);
-- Create index "emaildomain_tenant_id" to table: "email_domains"
CREATE INDEX `emaildomain_tenant_id` ON `email_domains` (`tenant_id`);
-- Create "interactions" table
CREATE TABLE `interactions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `interaction_id` text NOT NULL, `kind` text NOT NULL, `active` bool NOT NULL DEFAULT (true), `desktop_session_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `interactions_desktop_sessions_desktop_session` FOREIGN KEY (`desktop_session_id`) REFERENCES `desktop_sessions` (`id`) ON DELETE CASCADE);
-- Create index "interaction_desktop_session_id_interaction_id" to table: "interactions"
CREATE UNIQUE INDEX `interaction_desktop_session_id_interaction_id` ON `interactions` (`desktop_session_id`, `interaction_id`);
-- Create "outbox_messages" table
CREATE TABLE `outbox_messages` (`id` text NOT NULL, `to` text NOT NULL, `subject` text NOT NULL, `text_body` text NOT NULL, `html_body` text NOT NULL DEFAULT (''), `created_at` datetime NOT NULL, `next_attempt_at` datetime NOT NULL, `attempts` integer NOT NULL DEFAULT (0), `sent_at` datetime NULL, `failed_at` datetime NULL, `last_error` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- Create index "outboxmessage_sent_at_failed_at_next_attempt_at" to table: "outbox_messages"
CREATE INDEX `outboxmessage_sent_at_failed_at_next_attempt_at` ON `outbox_messages` (`sent_at`, `failed_at`, `next_attempt_at`);
-- Create "password_reset_codes" table
CREATE TABLE `password_reset_codes` (`id` text NOT NULL, `code_mac` text NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `attempts_left` integer NOT NULL, `consumed_at` datetime NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `password_reset_codes_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "passwordresetcode_user_id_consumed_at" to table: "password_reset_codes"
CREATE INDEX `passwordresetcode_user_id_consumed_at` ON `password_reset_codes` (`user_id`, `consumed_at`);
-- Create "remembered_stations" table
CREATE TABLE `remembered_stations` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `station_type` text NOT NULL, `dial_number` text NOT NULL DEFAULT (''), `extension` text NOT NULL DEFAULT (''), `country` text NOT NULL DEFAULT (''), `international_format` bool NOT NULL DEFAULT (true), `team_id` text NOT NULL DEFAULT (''), `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `remembered_stations_users_remembered_station` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "remembered_stations_user_id_key" to table: "remembered_stations"
CREATE UNIQUE INDEX `remembered_stations_user_id_key` ON `remembered_stations` (`user_id`);
-- Create "sessions" table
CREATE TABLE `sessions` (`id` text NOT NULL, `token_hash` text NOT NULL, `method` text NOT NULL, `created_at` datetime NOT NULL, `last_seen_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `revoked_at` datetime NULL, `revoked_reason` text NULL, `client_addr` text NOT NULL DEFAULT (''), `user_agent` text NOT NULL DEFAULT (''), `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sessions_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "sessions_token_hash_key" to table: "sessions"
CREATE UNIQUE INDEX `sessions_token_hash_key` ON `sessions` (`token_hash`);
-- Create index "session_user_id_revoked_at" to table: "sessions"
CREATE INDEX `session_user_id_revoked_at` ON `sessions` (`user_id`, `revoked_at`);
-- Create "skill_profiles" table
CREATE TABLE `skill_profiles` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `skills` json NOT NULL, `tenant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `skill_profiles_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE);
-- Create index "skillprofile_tenant_id" to table: "skill_profiles"
CREATE INDEX `skillprofile_tenant_id` ON `skill_profiles` (`tenant_id`);
-- Create index "skillprofile_tenant_id_name" to table: "skill_profiles"
CREATE UNIQUE INDEX `skillprofile_tenant_id_name` ON `skill_profiles` (`tenant_id`, `name`);
-- Create "teams" table
CREATE TABLE `teams` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `type` text NOT NULL DEFAULT ('AGENT'), `capacity` integer NULL, `tenant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `teams_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE);
-- Create index "team_tenant_id" to table: "teams"
CREATE INDEX `team_tenant_id` ON `teams` (`tenant_id`);
-- Create index "team_tenant_id_name" to table: "teams"
CREATE UNIQUE INDEX `team_tenant_id_name` ON `teams` (`tenant_id`, `name`);
-- Create "tenants" table
CREATE TABLE `tenants` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `slug` text NOT NULL, `sso_mode` text NOT NULL DEFAULT ('NONE'), `sso_issuer_url` text NOT NULL DEFAULT (''), `sso_client_id` text NOT NULL DEFAULT (''), `sso_client_secret` text NOT NULL DEFAULT (''), `station_types` json NOT NULL, `webrtc_enabled` bool NOT NULL DEFAULT (false), `force_default_dial_number` bool NOT NULL DEFAULT (false), `default_country` text NOT NULL DEFAULT ('US'), `remember_station_credentials` bool NOT NULL DEFAULT (true), `desktop_inactivity_timeout_minutes` integer NOT NULL DEFAULT (60), `teams_enabled` bool NOT NULL DEFAULT (false), `teams_issuer_url` text NOT NULL DEFAULT (''), `teams_client_id` text NOT NULL DEFAULT (''), `teams_client_secret` text NOT NULL DEFAULT (''), PRIMARY KEY (`id`));
-- Create index "tenants_slug_key" to table: "tenants"
CREATE UNIQUE INDEX `tenants_slug_key` ON `tenants` (`slug`);
-- Create "users" table
CREATE TABLE `users` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `name` text NOT NULL, `role` text NOT NULL, `active` bool NOT NULL DEFAULT (true), `contact_center_enabled` bool NOT NULL DEFAULT (true), `password_hash` text NULL, `password_changed_at` datetime NULL, `default_dial_number` text NULL, `default_extension` text NULL, `teams_auth_status` text NOT NULL DEFAULT ('NOT_STARTED'), `tenant_id` text NULL, `agent_profile_id` text NULL, `skill_profile_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `users_tenants_tenant` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE, CONSTRAINT `users_agent_profiles_agent_profile` FOREIGN KEY (`agent_profile_id`) REFERENCES `agent_profiles` (`id`) ON DELETE SET NULL, CONSTRAINT `users_skill_profiles_skill_profile` FOREIGN KEY (`skill_profile_id`) REFERENCES `skill_profiles` (`id`) ON DELETE SET NULL);
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
-- Create index "user_tenant_id_role" to table: "users"
CREATE INDEX `user_tenant_id_role` ON `users` (`tenant_id`, `role`);
-- Create index "user_tenant_id_default_dial_number" to table: "users"
CREATE UNIQUE INDEX `user_tenant_id_default_dial_number` ON `users` (`tenant_id`, `default_dial_number`);
-- Create index "user_agent_profile_id" to table: "users"
CREATE INDEX `user_agent_profile_id` ON `users` (`agent_profile_id`);
-- Create "agent_profile_dial_plans" table
CREATE TABLE `agent_profile_dial_plans` (`agent_profile_id` text NOT NULL, `dial_plan_id` text NOT NULL, PRIMARY KEY (`agent_profile_id`, `dial_plan_id`), CONSTRAINT `agent_profile_dial_plans_agent_profile_id` FOREIGN KEY (`agent_profile_id`) REFERENCES `agent_profiles` (`id`) ON DELETE CASCADE, CONSTRAINT `agent_profile_dial_plans_dial_plan_id` FOREIGN KEY (`dial_plan_id`) REFERENCES `dial_plans` (`id`) ON DELETE CASCADE);
-- Create "team_members" table
CREATE TABLE `team_members` (`team_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`team_id`, `user_id`), CONSTRAINT `team_members_team_id` FOREIGN KEY (`team_id`) REFERENCES `teams` (`id`) ON DELETE CASCADE, CONSTRAINT `team_members_user_id` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
