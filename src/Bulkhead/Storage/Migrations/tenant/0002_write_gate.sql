-- The write gate: every write statement on a tenant table takes a shared advisory lock on its tenant
-- for the rest of the transaction. An online move holds that lock exclusively during its final switch,
-- so writes of the moving tenant fail fast (SQLSTATE BH001, served as 503 with Retry-After) while
-- reads and every other tenant carry on. Without a tenant context (the owner's maintenance work) the
-- gate does nothing. The migrator attaches the trigger to every table with tenant_id.
create function tenant_write_gate() returns trigger
language plpgsql
set search_path = ''
as $$
declare
    tenant text := nullif(current_setting('app.tenant_id', true), '');
begin
    if tenant is not null
       and not pg_catalog.pg_try_advisory_xact_lock_shared(pg_catalog.hashtext('bulkhead.tenant'), pg_catalog.hashtext(tenant)) then
        raise exception 'tenant % is being moved; retry shortly', tenant using errcode = 'BH001';
    end if;
    return null;
end
$$;
