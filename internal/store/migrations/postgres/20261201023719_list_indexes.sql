-- Drop index "agentprofile_tenant_id" from table: "agent_profiles"
DROP INDEX "agentprofile_tenant_id";
-- Create index "agentprofile_tenant_id_id" to table: "agent_profiles"
CREATE INDEX "agentprofile_tenant_id_id" ON "agent_profiles" ("tenant_id", "id");
-- Drop index "apitoken_tenant_id" from table: "api_tokens"
DROP INDEX "apitoken_tenant_id";
-- Create index "apitoken_tenant_id_id" to table: "api_tokens"
CREATE INDEX "apitoken_tenant_id_id" ON "api_tokens" ("tenant_id", "id");
-- Drop index "artwork_tenant_id" from table: "artworks"
DROP INDEX "artwork_tenant_id";
-- Create index "artwork_tenant_id_id" to table: "artworks"
CREATE INDEX "artwork_tenant_id_id" ON "artworks" ("tenant_id", "id");
-- Drop index "authflow_tenant_id" from table: "auth_flows"
DROP INDEX "authflow_tenant_id";
-- Create index "authflow_tenant_id_id" to table: "auth_flows"
CREATE INDEX "authflow_tenant_id_id" ON "auth_flows" ("tenant_id", "id");
-- Drop index "banner_tenant_id" from table: "banners"
DROP INDEX "banner_tenant_id";
-- Drop index "banner_tenant_id_resolved_at" from table: "banners"
DROP INDEX "banner_tenant_id_resolved_at";
-- Create index "banner_tenant_id_id" to table: "banners"
CREATE INDEX "banner_tenant_id_id" ON "banners" ("tenant_id", "id");
-- Create index "banner_tenant_id_resolved_at_id" to table: "banners"
CREATE INDEX "banner_tenant_id_resolved_at_id" ON "banners" ("tenant_id", "resolved_at", "id");
-- Drop index "desktopsession_tenant_id" from table: "desktop_sessions"
DROP INDEX "desktopsession_tenant_id";
-- Create index "desktopsession_active_tenant" to table: "desktop_sessions"
CREATE INDEX "desktopsession_active_tenant" ON "desktop_sessions" ("tenant_id", "id") WHERE (ended_at IS NULL);
-- Create index "desktopsession_tenant_id_id" to table: "desktop_sessions"
CREATE INDEX "desktopsession_tenant_id_id" ON "desktop_sessions" ("tenant_id", "id");
-- Drop index "dialplan_tenant_id" from table: "dial_plans"
DROP INDEX "dialplan_tenant_id";
-- Create index "dialplan_tenant_id_id" to table: "dial_plans"
CREATE INDEX "dialplan_tenant_id_id" ON "dial_plans" ("tenant_id", "id");
-- Drop index "emaildomain_tenant_id" from table: "email_domains"
DROP INDEX "emaildomain_tenant_id";
-- Create index "emaildomain_tenant_id_id" to table: "email_domains"
CREATE INDEX "emaildomain_tenant_id_id" ON "email_domains" ("tenant_id", "id");
-- Drop index "passwordresetcode_user_id" from table: "password_reset_codes"
DROP INDEX "passwordresetcode_user_id";
-- Drop index "skillprofile_tenant_id" from table: "skill_profiles"
DROP INDEX "skillprofile_tenant_id";
-- Create index "skillprofile_tenant_id_id" to table: "skill_profiles"
CREATE INDEX "skillprofile_tenant_id_id" ON "skill_profiles" ("tenant_id", "id");
-- Drop index "team_tenant_id" from table: "teams"
DROP INDEX "team_tenant_id";
-- Create index "team_tenant_id_id" to table: "teams"
CREATE INDEX "team_tenant_id_id" ON "teams" ("tenant_id", "id");
-- Drop index "user_tenant_id_role" from table: "users"
DROP INDEX "user_tenant_id_role";
-- Create index "user_tenant_id_id" to table: "users"
CREATE INDEX "user_tenant_id_id" ON "users" ("tenant_id", "id");
-- Create index "user_tenant_id_role_id" to table: "users"
CREATE INDEX "user_tenant_id_role_id" ON "users" ("tenant_id", "role", "id");
