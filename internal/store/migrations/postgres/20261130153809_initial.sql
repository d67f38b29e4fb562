-- Create "outbox_messages" table
CREATE TABLE "outbox_messages" ("id" character varying NOT NULL, "to" character varying NOT NULL, "subject" character varying NOT NULL, "text_body" text NOT NULL, "html_body" text NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "next_attempt_at" timestamptz NOT NULL, "attempts" bigint NOT NULL DEFAULT 0, "sent_at" timestamptz NULL, "failed_at" timestamptz NULL, "last_error" character varying NOT NULL DEFAULT '', PRIMARY KEY ("id"));
-- Create index "outboxmessage_sent_at_failed_at_next_attempt_at" to table: "outbox_messages"
CREATE INDEX "outboxmessage_sent_at_failed_at_next_attempt_at" ON "outbox_messages" ("sent_at", "failed_at", "next_attempt_at");
-- Create "audit_events" table
CREATE TABLE "audit_events" ("id" character varying NOT NULL, "tenant_id" character varying NOT NULL DEFAULT '', "actor" character varying NOT NULL, "action" character varying NOT NULL, "target_type" character varying NOT NULL DEFAULT '', "target_id" character varying NOT NULL DEFAULT '', "at" timestamptz NOT NULL, "summary" character varying NOT NULL DEFAULT '', PRIMARY KEY ("id"));
-- Create index "auditevent_tenant_id_id" to table: "audit_events"
CREATE INDEX "auditevent_tenant_id_id" ON "audit_events" ("tenant_id", "id");
-- Create "tenants" table
CREATE TABLE "tenants" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "slug" character varying NOT NULL, "sso_mode" character varying NOT NULL DEFAULT 'NONE', "sso_issuer_url" character varying NOT NULL DEFAULT '', "sso_client_id" character varying NOT NULL DEFAULT '', "sso_client_secret" character varying NOT NULL DEFAULT '', "station_types" jsonb NOT NULL, "webrtc_enabled" boolean NOT NULL DEFAULT false, "force_default_dial_number" boolean NOT NULL DEFAULT false, "default_country" character varying NOT NULL DEFAULT 'US', "remember_station_credentials" boolean NOT NULL DEFAULT true, "desktop_inactivity_timeout_minutes" bigint NOT NULL DEFAULT 60, "teams_enabled" boolean NOT NULL DEFAULT false, "teams_issuer_url" character varying NOT NULL DEFAULT '', "teams_client_id" character varying NOT NULL DEFAULT '', "teams_client_secret" character varying NOT NULL DEFAULT '', PRIMARY KEY ("id"));
-- Create index "tenants_slug_key" to table: "tenants"
CREATE UNIQUE INDEX "tenants_slug_key" ON "tenants" ("slug");
-- Create "server_secrets" table
CREATE TABLE "server_secrets" ("id" character varying NOT NULL, "value" bytea NOT NULL, "created_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create "agent_profiles" table
CREATE TABLE "agent_profiles" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "login_voice_options" jsonb NOT NULL, "dial_number_validation" character varying NOT NULL DEFAULT 'ANY_FORMAT', "auto_answer" boolean NOT NULL DEFAULT false, "tenant_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "agent_profiles_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "agentprofile_tenant_id" to table: "agent_profiles"
CREATE INDEX "agentprofile_tenant_id" ON "agent_profiles" ("tenant_id");
-- Create index "agentprofile_tenant_id_name" to table: "agent_profiles"
CREATE UNIQUE INDEX "agentprofile_tenant_id_name" ON "agent_profiles" ("tenant_id", "name");
-- Create "dial_plans" table
CREATE TABLE "dial_plans" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "regular_expression" character varying NOT NULL, "prefix" character varying NOT NULL DEFAULT '', "stripped_chars" character varying NOT NULL DEFAULT '', "active" boolean NOT NULL DEFAULT true, "tenant_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "dial_plans_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "dialplan_tenant_id" to table: "dial_plans"
CREATE INDEX "dialplan_tenant_id" ON "dial_plans" ("tenant_id");
-- Create index "dialplan_tenant_id_name" to table: "dial_plans"
CREATE UNIQUE INDEX "dialplan_tenant_id_name" ON "dial_plans" ("tenant_id", "name");
-- Create "agent_profile_dial_plans" table
CREATE TABLE "agent_profile_dial_plans" ("agent_profile_id" character varying NOT NULL, "dial_plan_id" character varying NOT NULL, PRIMARY KEY ("agent_profile_id", "dial_plan_id"), CONSTRAINT "agent_profile_dial_plans_agent_profile_id" FOREIGN KEY ("agent_profile_id") REFERENCES "agent_profiles" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "agent_profile_dial_plans_dial_plan_id" FOREIGN KEY ("dial_plan_id") REFERENCES "dial_plans" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create "api_tokens" table
CREATE TABLE "api_tokens" ("id" character varying NOT NULL, "name" character varying NOT NULL, "role" character varying NOT NULL, "token_hash" character varying NOT NULL, "created_by" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "last_used_at" timestamptz NULL, "expires_at" timestamptz NULL, "revoked_at" timestamptz NULL, "tenant_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "api_tokens_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "api_tokens_token_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens" ("token_hash");
-- Create index "apitoken_tenant_id" to table: "api_tokens"
CREATE INDEX "apitoken_tenant_id" ON "api_tokens" ("tenant_id");
-- Create "artworks" table
CREATE TABLE "artworks" ("id" character varying NOT NULL, "content_type" character varying NOT NULL, "data" bytea NOT NULL, "size" bigint NOT NULL, "etag" character varying NOT NULL, "created_at" timestamptz NOT NULL, "tenant_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "artworks_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "artwork_one_per_tenant" to table: "artworks"
CREATE UNIQUE INDEX "artwork_one_per_tenant" ON "artworks" ("tenant_id");
-- Create index "artwork_tenant_id" to table: "artworks"
CREATE INDEX "artwork_tenant_id" ON "artworks" ("tenant_id");
-- Create "auth_flows" table
CREATE TABLE "auth_flows" ("id" character varying NOT NULL, "kind" character varying NOT NULL, "state_hash" character varying NOT NULL, "nonce" character varying NOT NULL, "pkce_verifier" character varying NOT NULL, "user_id" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "consumed_at" timestamptz NULL, "tenant_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "auth_flows_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "auth_flows_state_hash_key" to table: "auth_flows"
CREATE UNIQUE INDEX "auth_flows_state_hash_key" ON "auth_flows" ("state_hash");
-- Create index "authflow_tenant_id" to table: "auth_flows"
CREATE INDEX "authflow_tenant_id" ON "auth_flows" ("tenant_id");
-- Create "banners" table
CREATE TABLE "banners" ("id" character varying NOT NULL, "message" character varying NOT NULL, "severity" character varying NOT NULL DEFAULT 'INFO', "created_at" timestamptz NOT NULL, "resolved_at" timestamptz NULL, "tenant_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "banners_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "banner_tenant_id" to table: "banners"
CREATE INDEX "banner_tenant_id" ON "banners" ("tenant_id");
-- Create index "banner_tenant_id_resolved_at" to table: "banners"
CREATE INDEX "banner_tenant_id_resolved_at" ON "banners" ("tenant_id", "resolved_at");
-- Create "skill_profiles" table
CREATE TABLE "skill_profiles" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "skills" jsonb NOT NULL, "tenant_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "skill_profiles_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "skillprofile_tenant_id" to table: "skill_profiles"
CREATE INDEX "skillprofile_tenant_id" ON "skill_profiles" ("tenant_id");
-- Create index "skillprofile_tenant_id_name" to table: "skill_profiles"
CREATE UNIQUE INDEX "skillprofile_tenant_id_name" ON "skill_profiles" ("tenant_id", "name");
-- Create "users" table
CREATE TABLE "users" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "email" character varying NOT NULL, "name" character varying NOT NULL, "role" character varying NOT NULL, "active" boolean NOT NULL DEFAULT true, "contact_center_enabled" boolean NOT NULL DEFAULT true, "password_hash" character varying NULL, "password_changed_at" timestamptz NULL, "default_dial_number" character varying NULL, "default_extension" character varying NULL, "teams_auth_status" character varying NOT NULL DEFAULT 'NOT_STARTED', "tenant_id" character varying NULL, "agent_profile_id" character varying NULL, "skill_profile_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "users_agent_profiles_agent_profile" FOREIGN KEY ("agent_profile_id") REFERENCES "agent_profiles" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "users_skill_profiles_skill_profile" FOREIGN KEY ("skill_profile_id") REFERENCES "skill_profiles" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "users_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "user_agent_profile_id" to table: "users"
CREATE INDEX "user_agent_profile_id" ON "users" ("agent_profile_id");
-- Create index "user_tenant_id_default_dial_number" to table: "users"
CREATE UNIQUE INDEX "user_tenant_id_default_dial_number" ON "users" ("tenant_id", "default_dial_number");
-- Create index "user_tenant_id_role" to table: "users"
CREATE INDEX "user_tenant_id_role" ON "users" ("tenant_id", "role");
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX "users_email_key" ON "users" ("email");
-- Create "desktop_sessions" table
CREATE TABLE "desktop_sessions" ("id" character varying NOT NULL, "auth_session_id" character varying NOT NULL DEFAULT '', "client_id" character varying NOT NULL, "superseded_client_ids" jsonb NULL, "role" character varying NOT NULL DEFAULT 'AGENT', "station_type" character varying NOT NULL, "dial_number" character varying NULL, "extension" character varying NULL, "device_id" character varying NULL, "team_id" character varying NOT NULL, "state" character varying NOT NULL DEFAULT 'IDLE', "idle_code" character varying NOT NULL DEFAULT '', "state_changed_at" timestamptz NOT NULL, "started_at" timestamptz NOT NULL, "last_activity_at" timestamptz NOT NULL, "inactivity_warned_at" timestamptz NULL, "ended_at" timestamptz NULL, "end_reason" character varying NOT NULL DEFAULT '', "tenant_id" character varying NOT NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "desktop_sessions_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "desktop_sessions_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "desktopsession_active_dial_number" to table: "desktop_sessions"
CREATE UNIQUE INDEX "desktopsession_active_dial_number" ON "desktop_sessions" ("tenant_id", "dial_number") WHERE (ended_at IS NULL);
-- Create index "desktopsession_active_extension" to table: "desktop_sessions"
CREATE UNIQUE INDEX "desktopsession_active_extension" ON "desktop_sessions" ("tenant_id", "extension") WHERE (ended_at IS NULL);
-- Create index "desktopsession_active_user" to table: "desktop_sessions"
CREATE UNIQUE INDEX "desktopsession_active_user" ON "desktop_sessions" ("user_id") WHERE (ended_at IS NULL);
-- Create index "desktopsession_ended_at_last_activity_at" to table: "desktop_sessions"
CREATE INDEX "desktopsession_ended_at_last_activity_at" ON "desktop_sessions" ("ended_at", "last_activity_at");
-- Create index "desktopsession_tenant_id" to table: "desktop_sessions"
CREATE INDEX "desktopsession_tenant_id" ON "desktop_sessions" ("tenant_id");
-- Create "email_domains" table
CREATE TABLE "email_domains" ("id" character varying NOT NULL, "domain" character varying NOT NULL, "tenant_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "email_domains_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "email_domains_domain_key" to table: "email_domains"
CREATE UNIQUE INDEX "email_domains_domain_key" ON "email_domains" ("domain");
-- Create index "emaildomain_tenant_id" to table: "email_domains"
CREATE INDEX "emaildomain_tenant_id" ON "email_domains" ("tenant_id");
-- Create "interactions" table
CREATE TABLE "interactions" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "interaction_id" character varying NOT NULL, "kind" character varying NOT NULL, "active" boolean NOT NULL DEFAULT true, "desktop_session_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "interactions_desktop_sessions_desktop_session" FOREIGN KEY ("desktop_session_id") REFERENCES "desktop_sessions" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "interaction_desktop_session_id_interaction_id" to table: "interactions"
CREATE UNIQUE INDEX "interaction_desktop_session_id_interaction_id" ON "interactions" ("desktop_session_id", "interaction_id");
-- Create "password_reset_codes" table
CREATE TABLE "password_reset_codes" ("id" character varying NOT NULL, "email_mac" character varying NOT NULL, "code_mac" character varying NOT NULL, "created_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "attempts_left" bigint NOT NULL, "consumed_at" timestamptz NULL, "user_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "password_reset_codes_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "passwordresetcode_email_mac_created_at" to table: "password_reset_codes"
CREATE INDEX "passwordresetcode_email_mac_created_at" ON "password_reset_codes" ("email_mac", "created_at");
-- Create index "passwordresetcode_expires_at" to table: "password_reset_codes"
CREATE INDEX "passwordresetcode_expires_at" ON "password_reset_codes" ("expires_at");
-- Create index "passwordresetcode_user_id" to table: "password_reset_codes"
CREATE INDEX "passwordresetcode_user_id" ON "password_reset_codes" ("user_id");
-- Create "remembered_stations" table
CREATE TABLE "remembered_stations" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "station_type" character varying NOT NULL, "dial_number" character varying NOT NULL DEFAULT '', "extension" character varying NOT NULL DEFAULT '', "country" character varying NOT NULL DEFAULT '', "international_format" boolean NOT NULL DEFAULT true, "team_id" character varying NOT NULL DEFAULT '', "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "remembered_stations_users_remembered_station" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "remembered_stations_user_id_key" to table: "remembered_stations"
CREATE UNIQUE INDEX "remembered_stations_user_id_key" ON "remembered_stations" ("user_id");
-- Create "sessions" table
CREATE TABLE "sessions" ("id" character varying NOT NULL, "token_hash" character varying NOT NULL, "method" character varying NOT NULL, "created_at" timestamptz NOT NULL, "last_seen_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "revoked_at" timestamptz NULL, "revoked_reason" character varying NULL, "client_addr" character varying NOT NULL DEFAULT '', "user_agent" character varying NOT NULL DEFAULT '', "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "sessions_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "session_user_id_revoked_at" to table: "sessions"
CREATE INDEX "session_user_id_revoked_at" ON "sessions" ("user_id", "revoked_at");
-- Create index "sessions_token_hash_key" to table: "sessions"
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions" ("token_hash");
-- Create "teams" table
CREATE TABLE "teams" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "type" character varying NOT NULL DEFAULT 'AGENT', "capacity" bigint NULL, "tenant_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "teams_tenants_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "team_tenant_id" to table: "teams"
CREATE INDEX "team_tenant_id" ON "teams" ("tenant_id");
-- Create index "team_tenant_id_name" to table: "teams"
CREATE UNIQUE INDEX "team_tenant_id_name" ON "teams" ("tenant_id", "name");
-- Create "team_members" table
CREATE TABLE "team_members" ("team_id" character varying NOT NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("team_id", "user_id"), CONSTRAINT "team_members_team_id" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "team_members_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
