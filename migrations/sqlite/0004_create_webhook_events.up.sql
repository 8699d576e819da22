-- Webhook events: each Stripe event as received. The payload is JSON text.
CREATE TABLE webhook_events (
  id TEXT NOT NULL PRIMARY KEY,
  stripe_event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  processed INTEGER NOT NULL DEFAULT 0,
  processed_at TEXT,
  payload TEXT NOT NULL,
  error_message TEXT,
  retry_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,
  CONSTRAINT webhook_events_processed_check CHECK (processed IN (0, 1)),
  CONSTRAINT webhook_events_payload_check CHECK (json_valid(payload))
) STRICT;

-- Partial like every other Stripe id: soft-deleting an event is how it is forgotten and replayed.
CREATE UNIQUE INDEX webhook_events_stripe_event_id_key ON webhook_events (stripe_event_id)
  WHERE deleted_at IS NULL;
-- findRetryable: unprocessed events under the retry limit, oldest first.
CREATE INDEX webhook_events_processed_retry_count_idx ON webhook_events (processed, retry_count, created_at);
CREATE INDEX webhook_events_event_type_created_at_idx ON webhook_events (event_type, created_at, id);
CREATE INDEX webhook_events_created_at_id_idx ON webhook_events (created_at, id);
CREATE INDEX webhook_events_deleted_at_idx ON webhook_events (deleted_at);
