-- The Stripe event that last wrote each payment and subscription (the event's `created`), so an
-- older event delivered late never overwrites a newer one: the repositories' upsertFromStripe is
-- an upsert ordered by this column (docs/repositories.md › Ordered upserts). Null on rows written
-- before, or not from an event: the next event's upsert then applies.
--
-- Held to the library's timestamp form like every other timestamp column (0007): triggers of
-- their own, so the 0007 triggers stay as they are.

ALTER TABLE payments ADD COLUMN last_event_at TEXT;
ALTER TABLE subscriptions ADD COLUMN last_event_at TEXT;

CREATE TRIGGER payments_last_event_at_after_insert AFTER INSERT ON payments
WHEN new.last_event_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.last_event_at < '0001'
BEGIN
  -- Hands the row to payments_last_event_at_after_update, which rewrites or refuses.
  UPDATE payments SET last_event_at = last_event_at WHERE rowid = new.rowid;
END;

CREATE TRIGGER payments_last_event_at_after_update AFTER UPDATE OF last_event_at ON payments
WHEN new.last_event_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.last_event_at < '0001'
BEGIN
  SELECT RAISE(ABORT, 'payments.last_event_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.last_event_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.last_event_at) >= '0001', 0) = 0;
  UPDATE payments SET last_event_at = strftime('%Y-%m-%dT%H:%M:%fZ', last_event_at) WHERE rowid = new.rowid;
END;

CREATE TRIGGER subscriptions_last_event_at_after_insert AFTER INSERT ON subscriptions
WHEN new.last_event_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.last_event_at < '0001'
BEGIN
  -- Hands the row to subscriptions_last_event_at_after_update, which rewrites or refuses.
  UPDATE subscriptions SET last_event_at = last_event_at WHERE rowid = new.rowid;
END;

CREATE TRIGGER subscriptions_last_event_at_after_update AFTER UPDATE OF last_event_at ON subscriptions
WHEN new.last_event_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.last_event_at < '0001'
BEGIN
  SELECT RAISE(ABORT, 'subscriptions.last_event_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.last_event_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.last_event_at) >= '0001', 0) = 0;
  UPDATE subscriptions SET last_event_at = strftime('%Y-%m-%dT%H:%M:%fZ', last_event_at) WHERE rowid = new.rowid;
END;
