-- Timestamps at the library's precision, whoever writes them. The library reads and writes
-- ISO-8601 UTC with milliseconds; a plain timestamptz keeps microseconds, so a row written by
-- another program (plain SQL, another service, DEFAULT now()) held an instant the library could
-- not return, and the value it did return failed as a filter or a cursor. timestamptz(3) rounds
-- whatever is stored to the millisecond, so every value read back is exact.
--
-- The CHECKs keep out what has no ISO form of years 1 to 9999 (infinity, -infinity, BC dates,
-- year 10000 on): the library refuses such input and could not return it. NOT VALID: rows
-- already holding such a value do not stop the migration (reading them is a QueryException
-- naming the column); VALIDATE CONSTRAINT once they are fixed.
--
-- Each table is rewritten once (one ALTER TABLE) and its indexes are rebuilt, under an ACCESS
-- EXCLUSIVE lock that makes every read and write of the table wait until it is done (about 20 s
-- per million users rows on a small machine); migrations run without a statement timeout. On a
-- large database run this in a maintenance window, not at boot (docs/migrations.md).
-- Grants and defaults are kept. Anything of the application's own that depends on one of these
-- columns makes the ALTER fail (0A000, nothing applied): a view or materialized view, a row level
-- security policy on any table that names the column, a trigger's WHEN. Drop it before and
-- recreate it after; the library's own policies (0006) name none of these columns.

ALTER TABLE users
  ALTER COLUMN last_login TYPE timestamptz(3),
  ALTER COLUMN created_at TYPE timestamptz(3),
  ALTER COLUMN updated_at TYPE timestamptz(3),
  ALTER COLUMN deleted_at TYPE timestamptz(3),
  ADD CONSTRAINT users_last_login_check CHECK (last_login BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT users_created_at_check CHECK (created_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT users_updated_at_check CHECK (updated_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT users_deleted_at_check CHECK (deleted_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID;

ALTER TABLE payments
  ALTER COLUMN created_at TYPE timestamptz(3),
  ALTER COLUMN updated_at TYPE timestamptz(3),
  ALTER COLUMN deleted_at TYPE timestamptz(3),
  ADD CONSTRAINT payments_created_at_check CHECK (created_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT payments_updated_at_check CHECK (updated_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT payments_deleted_at_check CHECK (deleted_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID;

ALTER TABLE subscriptions
  ALTER COLUMN current_period_start TYPE timestamptz(3),
  ALTER COLUMN current_period_end TYPE timestamptz(3),
  ALTER COLUMN trial_start TYPE timestamptz(3),
  ALTER COLUMN trial_end TYPE timestamptz(3),
  ALTER COLUMN canceled_at TYPE timestamptz(3),
  ALTER COLUMN created_at TYPE timestamptz(3),
  ALTER COLUMN updated_at TYPE timestamptz(3),
  ALTER COLUMN deleted_at TYPE timestamptz(3),
  ADD CONSTRAINT subscriptions_current_period_start_check CHECK (current_period_start BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT subscriptions_current_period_end_check CHECK (current_period_end BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT subscriptions_trial_start_check CHECK (trial_start BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT subscriptions_trial_end_check CHECK (trial_end BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT subscriptions_canceled_at_check CHECK (canceled_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT subscriptions_created_at_check CHECK (created_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT subscriptions_updated_at_check CHECK (updated_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT subscriptions_deleted_at_check CHECK (deleted_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID;

ALTER TABLE webhook_events
  ALTER COLUMN processed_at TYPE timestamptz(3),
  ALTER COLUMN created_at TYPE timestamptz(3),
  ALTER COLUMN updated_at TYPE timestamptz(3),
  ALTER COLUMN deleted_at TYPE timestamptz(3),
  ADD CONSTRAINT webhook_events_processed_at_check CHECK (processed_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT webhook_events_created_at_check CHECK (created_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT webhook_events_updated_at_check CHECK (updated_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT webhook_events_deleted_at_check CHECK (deleted_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID;
