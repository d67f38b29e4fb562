-- Modify "team_members" table
ALTER TABLE "team_members" DROP CONSTRAINT "team_members_team_id", DROP CONSTRAINT "team_members_user_id", ADD CONSTRAINT "team_members_teams_team" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "team_members_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- Create index "teammember_user_id" to table: "team_members"
CREATE INDEX "teammember_user_id" ON "team_members" ("user_id");
