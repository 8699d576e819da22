-- Webhook events: each Stripe event as received.
CREATE TABLE webhook_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  stripe_event_id text COLLATE "C" NOT NULL,
  event_type text COLLATE "C" NOT NULL,
  processed boolean NOT NULL DEFAULT false,
  processed_at timestamptz,
  payload jsonb NOT NULL,
  error_message text COLLATE "C",
  retry_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

-- Partial like every other Stripe id: soft-deleting an event is how it is forgotten and replayed.
CREATE UNIQUE INDEX webhook_events_stripe_event_id_key ON webhook_events (stripe_event_id)
  WHERE deleted_at IS NULL;
-- findRetryable: unprocessed events under the retry limit, oldest first.
CREATE INDEX webhook_events_processed_retry_count_idx ON webhook_events (processed, retry_count, created_at);
CREATE INDEX webhook_events_event_type_created_at_idx ON webhook_events (event_type, created_at, id);
CREATE INDEX webhook_events_created_at_id_idx ON webhook_events (created_at, id);
CREATE INDEX webhook_events_deleted_at_idx ON webhook_events (deleted_at);
