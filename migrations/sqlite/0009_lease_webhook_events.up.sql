-- Webhook events handed to one worker at a time (WebhookRepository.claimRetryable): a claim sets
-- locked_by to the worker and locked_until to when its lease ends, by the database's clock; the
-- holder's markProcessed / markFailed clear both. An event whose lease has ended can be claimed
-- again.
--
-- The claim walks the live pending events oldest first (processed = 0, then created_at, id) and
-- stops after its limit; the lease and retry tests are read from the rows it walks. Partial on
-- live rows like the PostgreSQL index of 0011; the claim's WHERE names deleted_at IS NULL as is.
ALTER TABLE webhook_events ADD COLUMN locked_by TEXT;
ALTER TABLE webhook_events ADD COLUMN locked_until TEXT;

CREATE INDEX webhook_events_claim_idx ON webhook_events (processed, created_at, id)
  WHERE deleted_at IS NULL;
-- It serves findRetryable too (processed, then oldest first), which the index it replaces did only
-- with a sort of every pending event; SQLite, without statistics, preferred that one for claims.
DROP INDEX webhook_events_processed_retry_count_idx;

-- locked_until is a timestamp like the others: the triggers of 0007 keep it in the library's form
-- whoever writes it (the library writes it in that form already).
DROP TRIGGER webhook_events_timestamps_after_update;
DROP TRIGGER webhook_events_timestamps_after_insert;

CREATE TRIGGER webhook_events_timestamps_after_insert AFTER INSERT ON webhook_events
WHEN new.processed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.processed_at < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
  OR new.locked_until NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.locked_until < '0001'
BEGIN
  -- Hands the row to webhook_events_timestamps_after_update, which rewrites or refuses.
  UPDATE webhook_events SET processed_at = processed_at, created_at = created_at, updated_at = updated_at, deleted_at = deleted_at, locked_until = locked_until WHERE rowid = new.rowid;
END;

CREATE TRIGGER webhook_events_timestamps_after_update AFTER UPDATE OF processed_at, created_at, updated_at, deleted_at, locked_until ON webhook_events
WHEN new.processed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.processed_at < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
  OR new.locked_until NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.locked_until < '0001'
BEGIN
  SELECT RAISE(ABORT, 'webhook_events.processed_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.processed_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.processed_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.created_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.created_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.created_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.updated_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.updated_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.updated_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.deleted_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.deleted_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.deleted_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.locked_until must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.locked_until IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.locked_until) >= '0001', 0) = 0;
  UPDATE webhook_events SET
    processed_at = strftime('%Y-%m-%dT%H:%M:%fZ', processed_at),
    created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at),
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at),
    deleted_at = strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at),
    locked_until = strftime('%Y-%m-%dT%H:%M:%fZ', locked_until)
  WHERE rowid = new.rowid;
END;
