-- Webhook events handed to one worker at a time (WebhookRepository.claimRetryable): a claim sets
-- locked_by to the worker and locked_until to when its lease ends, by the database's clock; the
-- holder's markProcessed / markFailed clear both. An event whose lease has ended can be claimed
-- again. Both columns are nullable and have no default, so adding them rewrites nothing.
--
-- The claim walks the live pending events oldest first (processed = false, then created_at, id)
-- and stops after its limit; the lease and retry tests are read from the rows it walks. The index
-- is partial on live rows because PostgreSQL does not take `deleted_at IS NULL` as an equality
-- that would let a (processed, deleted_at, created_at, id) index give the order.
ALTER TABLE webhook_events
  ADD COLUMN locked_by text COLLATE "C",
  ADD COLUMN locked_until timestamptz(3),
  ADD CONSTRAINT webhook_events_locked_until_check CHECK (locked_until BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00');

CREATE INDEX webhook_events_claim_idx ON webhook_events (processed, created_at, id)
  WHERE deleted_at IS NULL;
-- It serves findRetryable too (processed, then oldest first), which the index it replaces did only
-- with a sort of every pending event; SQLite, without statistics, preferred that one for claims.
DROP INDEX webhook_events_processed_retry_count_idx;
