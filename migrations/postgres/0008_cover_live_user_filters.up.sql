-- Live users filtered by status and role: with deleted_at in the index the planner can answer
-- COUNT(*) and the ordered page from the index alone (index-only scans once vacuumed), the same
-- index as on SQLite.
DROP INDEX IF EXISTS users_status_role_created_at_idx;
CREATE INDEX users_status_role_live_created_at_idx ON users (status, role, deleted_at, created_at, id);
