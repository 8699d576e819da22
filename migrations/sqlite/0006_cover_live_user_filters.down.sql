DROP INDEX users_status_role_live_created_at_idx;
CREATE INDEX users_status_role_created_at_idx ON users (status, role, created_at, id);
