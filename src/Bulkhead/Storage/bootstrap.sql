-- Cluster bootstrap, run once per cluster by a superuser (psql -v owner_password=... -v app_password=...).
-- bulkhead_owner owns every object and runs migrations; bulkhead_app is the runtime role and can
-- never bypass row-level security.
select format('create role bulkhead_owner login bypassrls password %L', :'owner_password')
where not exists (select 1 from pg_roles where rolname = 'bulkhead_owner') \gexec
select format('create role bulkhead_app login nosuperuser nobypassrls nocreatedb nocreaterole noinherit password %L', :'app_password')
where not exists (select 1 from pg_roles where rolname = 'bulkhead_app') \gexec
alter role bulkhead_owner nosuperuser createdb nocreaterole;
alter role bulkhead_app nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
