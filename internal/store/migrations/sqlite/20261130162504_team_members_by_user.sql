-- Create index "teammember_user_id" to table: "team_members"
CREATE INDEX `teammember_user_id` ON `team_members` (`user_id`);
