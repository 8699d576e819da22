-- Subscriptions: one Stripe Subscription each. Booleans are 0/1; metadata is JSON text.
CREATE TABLE subscriptions (
  id TEXT NOT NULL PRIMARY KEY,
  stripe_subscription_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  stripe_customer_id TEXT,
  product_id TEXT NOT NULL,
  price_id TEXT NOT NULL,
  status TEXT NOT NULL,
  current_period_start TEXT NOT NULL,
  current_period_end TEXT NOT NULL,
  trial_start TEXT,
  trial_end TEXT,
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
  canceled_at TEXT,
  quantity INTEGER NOT NULL DEFAULT 1,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,
  CONSTRAINT subscriptions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
  CONSTRAINT subscriptions_status_check CHECK (
    status IN (
      'incomplete',
      'incomplete_expired',
      'trialing',
      'active',
      'past_due',
      'canceled',
      'unpaid',
      'paused'
    )
  ),
  CONSTRAINT subscriptions_cancel_at_period_end_check CHECK (cancel_at_period_end IN (0, 1)),
  CONSTRAINT subscriptions_metadata_check CHECK (json_valid(metadata))
) STRICT;

CREATE UNIQUE INDEX subscriptions_stripe_subscription_id_key ON subscriptions (stripe_subscription_id)
  WHERE deleted_at IS NULL;
CREATE INDEX subscriptions_user_id_created_at_idx ON subscriptions (user_id, created_at, id);
CREATE INDEX subscriptions_status_created_at_idx ON subscriptions (status, created_at, id);
CREATE INDEX subscriptions_stripe_customer_id_idx ON subscriptions (stripe_customer_id);
CREATE INDEX subscriptions_created_at_id_idx ON subscriptions (created_at, id);
CREATE INDEX subscriptions_deleted_at_idx ON subscriptions (deleted_at);
