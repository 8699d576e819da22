-- Users. Text columns use the "C" collation so ORDER BY compares code points, as on SQLite.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text COLLATE "C" NOT NULL,
  first_name text COLLATE "C" NOT NULL,
  last_name text COLLATE "C" NOT NULL,
  password_hash text COLLATE "C",
  role text COLLATE "C" NOT NULL DEFAULT 'User',
  status text COLLATE "C" NOT NULL DEFAULT 'Active',
  email_verified boolean NOT NULL DEFAULT false,
  phone text COLLATE "C",
  avatar_url text COLLATE "C",
  stripe_customer_id text COLLATE "C",
  last_login timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT users_role_check CHECK (role IN ('User', 'Admin')),
  CONSTRAINT users_status_check CHECK (status IN ('Active', 'Inactive', 'Suspended'))
);

-- Partial: a soft-deleted user never blocks signing up again with the same email.
CREATE UNIQUE INDEX users_email_key ON users (email) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_stripe_customer_id_key ON users (stripe_customer_id) WHERE deleted_at IS NULL;
-- Filter by status and/or role, newest or oldest first, with id as the cursor tie-breaker.
CREATE INDEX users_status_role_created_at_idx ON users (status, role, created_at, id);
CREATE INDEX users_role_created_at_idx ON users (role, created_at, id);
-- The default order and cursor pages.
CREATE INDEX users_created_at_id_idx ON users (created_at, id);
CREATE INDEX users_deleted_at_idx ON users (deleted_at);
