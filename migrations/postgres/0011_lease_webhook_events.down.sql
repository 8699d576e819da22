CREATE INDEX webhook_events_processed_retry_count_idx ON webhook_events (processed, retry_count, created_at);
DROP INDEX IF EXISTS webhook_events_claim_idx;
ALTER TABLE webhook_events
  DROP CONSTRAINT IF EXISTS webhook_events_locked_until_check,
  DROP COLUMN IF EXISTS locked_until,
  DROP COLUMN IF EXISTS locked_by;
