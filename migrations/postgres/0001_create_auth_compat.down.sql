-- Removes only what the up migration created. The roles stay: they belong to the whole cluster
-- and other databases may use them.
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NOT NULL
    AND obj_description('auth.uid()'::regprocedure, 'pg_proc') = 'nest-data-layer: auth compatibility function'
  THEN
    DROP FUNCTION auth.uid();
  END IF;

  IF to_regnamespace('auth') IS NOT NULL
    AND obj_description(to_regnamespace('auth'), 'pg_namespace') = 'nest-data-layer: auth compatibility schema'
  THEN
    -- Not CASCADE: anything else placed in this schema makes the down migration fail loudly.
    DROP SCHEMA auth;
  END IF;
END
$$;
