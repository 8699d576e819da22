-- The extension stays: other objects in the database may use it.
DROP INDEX IF EXISTS payments_description_trgm_idx;
DROP INDEX IF EXISTS users_last_name_trgm_idx;
DROP INDEX IF EXISTS users_first_name_trgm_idx;
DROP INDEX IF EXISTS users_email_trgm_idx;
