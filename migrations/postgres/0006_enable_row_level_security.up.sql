-- Row level security for clients that connect as anon or authenticated (Supabase's PostgREST).
-- A user reads and updates their own users row and reads their own payments and subscriptions;
-- webhook events are for service_role only. service_role has BYPASSRLS; the table owner (the
-- library's direct Postgres connection) is not subject to RLS either.
--
-- No policy tests deleted_at: the library filters soft-deleted rows itself, and a soft delete is
-- an UPDATE whose new row must still pass the SELECT policy (for RETURNING) and WITH CHECK.

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;

-- Supabase grants everything on new public tables to anon and authenticated by default; start
-- from nothing and grant only what the policies are meant to allow.
REVOKE ALL ON users, payments, subscriptions, webhook_events FROM PUBLIC, anon, authenticated;
GRANT ALL ON users, payments, subscriptions, webhook_events TO service_role;

-- Own row only, and only the profile columns plus the library-managed timestamps: role, status,
-- email, email_verified, password_hash and stripe_customer_id are changed by the backend.
GRANT SELECT ON users TO authenticated;
GRANT UPDATE (first_name, last_name, phone, avatar_url, updated_at, deleted_at) ON users TO authenticated;
GRANT SELECT ON payments, subscriptions TO authenticated;

-- (select auth.uid()) is evaluated once per statement instead of once per row.
CREATE POLICY users_select_own ON users
  FOR SELECT TO authenticated
  USING (id = (SELECT auth.uid()));

CREATE POLICY users_update_own ON users
  FOR UPDATE TO authenticated
  USING (id = (SELECT auth.uid()))
  WITH CHECK (id = (SELECT auth.uid()));

CREATE POLICY payments_select_own ON payments
  FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));

CREATE POLICY subscriptions_select_own ON subscriptions
  FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
