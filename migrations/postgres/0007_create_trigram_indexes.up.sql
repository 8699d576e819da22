-- Trigram indexes for the searchable columns, so `search` (ILIKE '%…%') need not scan the table.
-- Only where pg_trgm can be installed: without it, search still works, just without an index.
DO $$
DECLARE
  trgm_schema text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    RAISE NOTICE 'pg_trgm is not available: trigram indexes not created';
    RETURN;
  END IF;

  BEGIN
    -- Supabase keeps extensions in their own schema; elsewhere they go on the search path.
    IF to_regnamespace('extensions') IS NOT NULL THEN
      CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;
    ELSE
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    END IF;
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_trgm could not be installed (%): trigram indexes not created', SQLERRM;
    RETURN;
  END;

  -- The operator class is qualified with the extension's schema, wherever it was installed.
  SELECT n.nspname INTO trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';

  EXECUTE format('CREATE INDEX users_email_trgm_idx ON users USING gin (email %I.gin_trgm_ops)', trgm_schema);
  EXECUTE format('CREATE INDEX users_first_name_trgm_idx ON users USING gin (first_name %I.gin_trgm_ops)', trgm_schema);
  EXECUTE format('CREATE INDEX users_last_name_trgm_idx ON users USING gin (last_name %I.gin_trgm_ops)', trgm_schema);
  EXECUTE format('CREATE INDEX payments_description_trgm_idx ON payments USING gin (description %I.gin_trgm_ops)', trgm_schema);
END
$$;
