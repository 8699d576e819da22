DROP POLICY subscriptions_select_own ON subscriptions;
DROP POLICY payments_select_own ON payments;
DROP POLICY users_update_own ON users;
DROP POLICY users_select_own ON users;

REVOKE ALL ON users, payments, subscriptions, webhook_events FROM anon, authenticated, service_role;

ALTER TABLE webhook_events DISABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions DISABLE ROW LEVEL SECURITY;
ALTER TABLE payments DISABLE ROW LEVEL SECURITY;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
