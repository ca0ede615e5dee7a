-- The Kubernetes twin's database roles, created once by the RDS master user (deploy-kubernetes.sh
-- runs this with psql; re-running it only resets the passwords and grants):
--   owner  owns the schema and its tables, runs the migrations (the chart's migration Job);
--   app    what twinstack-server connects as: SELECT, INSERT, UPDATE, DELETE and its sequences,
--          no DDL, no ownership.
-- psql variables: owner, owner_password, app, app_password (passwords from Secrets Manager).
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"owner" WITH LOGIN PASSWORD :'owner_password';
ALTER ROLE :"app" WITH LOGIN PASSWORD :'app_password';

-- RDS's master user is no superuser: to hand objects over it must be a member of the new owner.
GRANT :"owner" TO CURRENT_USER;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"owner";
GRANT USAGE ON SCHEMA public TO :"app";

-- Tables an earlier deployment migrated as the master user move to the owner.
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'owner')
FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'owner' \gexec

-- What exists now, and what the owner's migrations create from now on.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app";
-- The migrations' bookkeeping is the owner's alone.
SELECT format('REVOKE ALL ON TABLE public._sqlx_migrations FROM %I', :'app')
WHERE EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tablename = '_sqlx_migrations') \gexec
