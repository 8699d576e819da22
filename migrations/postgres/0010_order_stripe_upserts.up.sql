-- The Stripe event that last wrote each payment and subscription (the event's `created`), so an
-- older event delivered late never overwrites a newer one: the repositories' upsertFromStripe is
-- an upsert ordered by this column (docs/repositories.md › Ordered upserts). Null on rows written
-- before, or not from an event: the next event's upsert then applies.
--
-- timestamptz(3) with the range CHECK of every timestamp column (0009). A nullable column without
-- a default is added without rewriting the table; NOT VALID skips scanning rows that can only hold
-- null, so the ACCESS EXCLUSIVE lock is brief. Existing grants and policies cover the new column.

ALTER TABLE payments
  ADD COLUMN last_event_at timestamptz(3),
  ADD CONSTRAINT payments_last_event_at_check CHECK (last_event_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID;

ALTER TABLE subscriptions
  ADD COLUMN last_event_at timestamptz(3),
  ADD CONSTRAINT subscriptions_last_event_at_check CHECK (last_event_at BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID;
