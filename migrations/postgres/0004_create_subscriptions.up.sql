-- Subscriptions: one Stripe Subscription each.
CREATE TABLE subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  stripe_subscription_id text COLLATE "C" NOT NULL,
  user_id uuid NOT NULL,
  stripe_customer_id text COLLATE "C",
  product_id text COLLATE "C" NOT NULL,
  price_id text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  current_period_start timestamptz NOT NULL,
  current_period_end timestamptz NOT NULL,
  trial_start timestamptz,
  trial_end timestamptz,
  cancel_at_period_end boolean NOT NULL DEFAULT false,
  canceled_at timestamptz,
  quantity integer NOT NULL DEFAULT 1,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
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
  )
);

CREATE UNIQUE INDEX subscriptions_stripe_subscription_id_key ON subscriptions (stripe_subscription_id)
  WHERE deleted_at IS NULL;
CREATE INDEX subscriptions_user_id_created_at_idx ON subscriptions (user_id, created_at, id);
CREATE INDEX subscriptions_status_created_at_idx ON subscriptions (status, created_at, id);
CREATE INDEX subscriptions_stripe_customer_id_idx ON subscriptions (stripe_customer_id);
CREATE INDEX subscriptions_created_at_id_idx ON subscriptions (created_at, id);
CREATE INDEX subscriptions_deleted_at_idx ON subscriptions (deleted_at);
