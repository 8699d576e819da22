-- Users. Emails are stored lower-case by the library; timestamps are ISO-8601 UTC text.
CREATE TABLE users (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  password_hash TEXT,
  role TEXT NOT NULL DEFAULT 'User',
  status TEXT NOT NULL DEFAULT 'Active',
  email_verified INTEGER NOT NULL DEFAULT 0,
  phone TEXT,
  avatar_url TEXT,
  stripe_customer_id TEXT,
  last_login TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,
  CONSTRAINT users_role_check CHECK (role IN ('User', 'Admin')),
  CONSTRAINT users_status_check CHECK (status IN ('Active', 'Inactive', 'Suspended')),
  CONSTRAINT users_email_verified_check CHECK (email_verified IN (0, 1))
) STRICT;

-- Partial: a soft-deleted user never blocks signing up again with the same email.
CREATE UNIQUE INDEX users_email_key ON users (email) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_stripe_customer_id_key ON users (stripe_customer_id) WHERE deleted_at IS NULL;
-- Filter by status and/or role, newest or oldest first, with id as the cursor tie-breaker.
CREATE INDEX users_status_role_created_at_idx ON users (status, role, created_at, id);
CREATE INDEX users_role_created_at_idx ON users (role, created_at, id);
-- The default order and cursor pages.
CREATE INDEX users_created_at_id_idx ON users (created_at, id);
CREATE INDEX users_deleted_at_idx ON users (deleted_at);
