-- Payments: one Stripe PaymentIntent each. Money is integer minor units (Stripe caps it at 8 digits).
CREATE TABLE payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  stripe_payment_intent_id text COLLATE "C" NOT NULL,
  user_id uuid NOT NULL,
  stripe_customer_id text COLLATE "C",
  amount integer NOT NULL,
  currency text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  payment_method text COLLATE "C",
  description text COLLATE "C",
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
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
  )
);

CREATE UNIQUE INDEX payments_stripe_payment_intent_id_key ON payments (stripe_payment_intent_id)
  WHERE deleted_at IS NULL;
-- A user's payments in order; also serves the foreign key check when a user is deleted.
CREATE INDEX payments_user_id_created_at_idx ON payments (user_id, created_at, id);
CREATE INDEX payments_status_created_at_idx ON payments (status, created_at, id);
CREATE INDEX payments_stripe_customer_id_idx ON payments (stripe_customer_id);
CREATE INDEX payments_created_at_id_idx ON payments (created_at, id);
CREATE INDEX payments_deleted_at_idx ON payments (deleted_at);
