-- What Supabase provides and plain PostgreSQL lacks: the anon, authenticated and service_role
-- roles, an auth schema and auth.uid(). On Supabase every step below finds its object and does
-- nothing; elsewhere it creates a compatible one, marked by a comment so the down migration
-- removes only what this file made.

-- Roles are cluster-wide: several databases of one server may migrate at the same moment, so a
-- concurrent CREATE ROLE that loses the race is caught instead of failing the migration.
DO $$
BEGIN
  BEGIN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
  END;
  BEGIN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
  END;
  BEGIN
    -- BYPASSRLS: the backend's role reads and writes every row, as on Supabase.
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
  END;
END
$$;

DO $$
BEGIN
  IF to_regnamespace('auth') IS NULL THEN
    CREATE SCHEMA auth;
    COMMENT ON SCHEMA auth IS 'nest-data-layer: auth compatibility schema';
  END IF;

  IF to_regprocedure('auth.uid()') IS NULL THEN
    -- The same expression as Supabase's auth.uid(): the JWT subject that PostgREST puts in
    -- request.jwt.claims for each transaction (or the older per-claim setting).
    CREATE FUNCTION auth.uid() RETURNS uuid
      LANGUAGE sql STABLE
      AS $fn$
        SELECT coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
        )::uuid
      $fn$;
    COMMENT ON FUNCTION auth.uid() IS 'nest-data-layer: auth compatibility function';
    GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
    GRANT EXECUTE ON FUNCTION auth.uid() TO anon, authenticated, service_role;
  END IF;
END
$$;
