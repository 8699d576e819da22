-- Dropping the column drops its CHECK.
ALTER TABLE payments DROP COLUMN IF EXISTS last_event_at;
ALTER TABLE subscriptions DROP COLUMN IF EXISTS last_event_at;
