CREATE INDEX webhook_events_processed_retry_count_idx ON webhook_events (processed, retry_count, created_at);
DROP INDEX IF EXISTS webhook_events_claim_idx;

-- The triggers of 0007 as they were: SQLite cannot drop a column a trigger names.
DROP TRIGGER webhook_events_timestamps_after_update;
DROP TRIGGER webhook_events_timestamps_after_insert;

CREATE TRIGGER webhook_events_timestamps_after_insert AFTER INSERT ON webhook_events
WHEN new.processed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.processed_at < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  -- Hands the row to webhook_events_timestamps_after_update, which rewrites or refuses.
  UPDATE webhook_events SET processed_at = processed_at, created_at = created_at, updated_at = updated_at, deleted_at = deleted_at WHERE rowid = new.rowid;
END;

CREATE TRIGGER webhook_events_timestamps_after_update AFTER UPDATE OF processed_at, created_at, updated_at, deleted_at ON webhook_events
WHEN new.processed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.processed_at < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  SELECT RAISE(ABORT, 'webhook_events.processed_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.processed_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.processed_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.created_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.created_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.created_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.updated_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.updated_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.updated_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.deleted_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.deleted_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.deleted_at) >= '0001', 0) = 0;
  UPDATE webhook_events SET
    processed_at = strftime('%Y-%m-%dT%H:%M:%fZ', processed_at),
    created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at),
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at),
    deleted_at = strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at)
  WHERE rowid = new.rowid;
END;

ALTER TABLE webhook_events DROP COLUMN locked_until;
ALTER TABLE webhook_events DROP COLUMN locked_by;
