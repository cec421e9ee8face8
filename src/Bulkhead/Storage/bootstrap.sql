-- Cluster bootstrap, run once per server by a superuser (or a role with CREATEROLE and the right to
-- grant BYPASSRLS). It reads the two passwords from the session settings bulkhead.owner_password and
-- bulkhead.app_password, so no password is ever part of the SQL text.
-- bulkhead_owner owns every object and runs migrations; bulkhead_app is the runtime role and can
-- never bypass row-level security.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'bulkhead_owner') then
        execute format('create role bulkhead_owner login password %L', current_setting('bulkhead.owner_password'));
    end if;
    if not exists (select 1 from pg_roles where rolname = 'bulkhead_app') then
        execute format('create role bulkhead_app login password %L', current_setting('bulkhead.app_password'));
    end if;
    alter role bulkhead_owner nosuperuser bypassrls createdb nocreaterole;
    alter role bulkhead_app nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
    -- Dropping an offboarded or moved tenant's database must end the runtime role's sessions on it.
    grant pg_signal_backend to bulkhead_owner;
    -- A move into the shared pooled tables loads without the per-row foreign-key triggers and checks the
    -- tenant's references once before it commits (see DeferredReferences).
    -- A bootstrap role that is not a superuser may not grant it: the moves then keep their triggers.
    begin
        grant set on parameter session_replication_role to bulkhead_owner;
    exception when insufficient_privilege then
        raise notice 'bulkhead_owner may not set session_replication_role: moves into the pooled tier check references row by row';
    end;
end
$$;
