DROP INDEX IF EXISTS webhook_events_claim_idx;
ALTER TABLE webhook_events
  DROP CONSTRAINT IF EXISTS webhook_events_locked_until_check,
  DROP COLUMN IF EXISTS locked_until,
  DROP COLUMN IF EXISTS locked_by;
