-- Payments: one Stripe PaymentIntent each. Money is integer minor units; metadata is JSON text.
CREATE TABLE payments (
  id TEXT NOT NULL PRIMARY KEY,
  stripe_payment_intent_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  stripe_customer_id TEXT,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  payment_method TEXT,
  description TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,
  CONSTRAINT payments_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
  CONSTRAINT payments_status_check CHECK (
    status IN (
      'requires_payment_method',
      'requires_confirmation',
      'requires_action',
      'processing',
      'requires_capture',
      'canceled',
      'succeeded'
    )
  ),
  CONSTRAINT payments_metadata_check CHECK (json_valid(metadata))
) STRICT;

CREATE UNIQUE INDEX payments_stripe_payment_intent_id_key ON payments (stripe_payment_intent_id)
  WHERE deleted_at IS NULL;
-- A user's payments in order; also serves the foreign key check when a user is deleted.
CREATE INDEX payments_user_id_created_at_idx ON payments (user_id, created_at, id);
CREATE INDEX payments_status_created_at_idx ON payments (status, created_at, id);
CREATE INDEX payments_stripe_customer_id_idx ON payments (stripe_customer_id);
CREATE INDEX payments_created_at_id_idx ON payments (created_at, id);
CREATE INDEX payments_deleted_at_idx ON payments (deleted_at);
