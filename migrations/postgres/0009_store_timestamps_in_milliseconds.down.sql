-- Back to plain timestamptz (no rewrite: the stored values fit), without the range CHECKs.

ALTER TABLE users
  DROP CONSTRAINT IF EXISTS users_last_login_check,
  DROP CONSTRAINT IF EXISTS users_created_at_check,
  DROP CONSTRAINT IF EXISTS users_updated_at_check,
  DROP CONSTRAINT IF EXISTS users_deleted_at_check,
  ALTER COLUMN last_login TYPE timestamptz,
  ALTER COLUMN created_at TYPE timestamptz,
  ALTER COLUMN updated_at TYPE timestamptz,
  ALTER COLUMN deleted_at TYPE timestamptz;

ALTER TABLE payments
  DROP CONSTRAINT IF EXISTS payments_created_at_check,
  DROP CONSTRAINT IF EXISTS payments_updated_at_check,
  DROP CONSTRAINT IF EXISTS payments_deleted_at_check,
  ALTER COLUMN created_at TYPE timestamptz,
  ALTER COLUMN updated_at TYPE timestamptz,
  ALTER COLUMN deleted_at TYPE timestamptz;

ALTER TABLE subscriptions
  DROP CONSTRAINT IF EXISTS subscriptions_current_period_start_check,
  DROP CONSTRAINT IF EXISTS subscriptions_current_period_end_check,
  DROP CONSTRAINT IF EXISTS subscriptions_trial_start_check,
  DROP CONSTRAINT IF EXISTS subscriptions_trial_end_check,
  DROP CONSTRAINT IF EXISTS subscriptions_canceled_at_check,
  DROP CONSTRAINT IF EXISTS subscriptions_created_at_check,
  DROP CONSTRAINT IF EXISTS subscriptions_updated_at_check,
  DROP CONSTRAINT IF EXISTS subscriptions_deleted_at_check,
  ALTER COLUMN current_period_start TYPE timestamptz,
  ALTER COLUMN current_period_end TYPE timestamptz,
  ALTER COLUMN trial_start TYPE timestamptz,
  ALTER COLUMN trial_end TYPE timestamptz,
  ALTER COLUMN canceled_at TYPE timestamptz,
  ALTER COLUMN created_at TYPE timestamptz,
  ALTER COLUMN updated_at TYPE timestamptz,
  ALTER COLUMN deleted_at TYPE timestamptz;

ALTER TABLE webhook_events
  DROP CONSTRAINT IF EXISTS webhook_events_processed_at_check,
  DROP CONSTRAINT IF EXISTS webhook_events_created_at_check,
  DROP CONSTRAINT IF EXISTS webhook_events_updated_at_check,
  DROP CONSTRAINT IF EXISTS webhook_events_deleted_at_check,
  ALTER COLUMN processed_at TYPE timestamptz,
  ALTER COLUMN created_at TYPE timestamptz,
  ALTER COLUMN updated_at TYPE timestamptz,
  ALTER COLUMN deleted_at TYPE timestamptz;
