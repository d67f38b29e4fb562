-- Modify "password_reset_codes" table
ALTER TABLE "password_reset_codes" ADD COLUMN "invitation" boolean NOT NULL DEFAULT false;
-- Create index "passwordresetcode_user_id_invitation_created_at" to table: "password_reset_codes"
CREATE INDEX "passwordresetcode_user_id_invitation_created_at" ON "password_reset_codes" ("user_id", "invitation", "created_at");
