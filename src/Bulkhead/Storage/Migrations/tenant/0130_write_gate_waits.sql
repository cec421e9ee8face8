-- The write gate waits out a move's final switch instead of refusing at once.
--
-- A move holds the tenant's write lock for its last catch-up round, the fence and the switch (well
-- under a second in the benchmarks). A write that finds the lock held now polls for the shared lock
-- every 10 ms for up to 5 s before it fails with BH001 (503 with Retry-After), so a write that comes
-- during the switch is delayed, not refused. The statement waits before it touches any row, holding
-- no lock the mover needs. When it gets the lock after the switch, the fence refuses it (BH002) and
-- the request resolves the tenant again and writes in the new placement. The fast path, a lock that
-- is free, is the one call it always was.
create or replace function tenant_write_gate() returns trigger
language plpgsql
set search_path = ''
as $$
declare
    tenant text := nullif(current_setting('app.tenant_id', true), '');
    fence bigint;
    waited int := 0;
begin
    if tenant is null then
        return null;
    end if;
    while not pg_catalog.pg_try_advisory_xact_lock_shared(pg_catalog.hashtext('bulkhead.tenant'), pg_catalog.hashtext(tenant)) loop
        if waited >= 500 then
            raise exception 'tenant % is being moved; retry shortly', tenant using errcode = 'BH001';
        end if;
        perform pg_catalog.pg_sleep(0.01);
        waited := waited + 1;
    end loop;
    execute pg_catalog.format('select f.epoch from %I.placement_fences f where f.tenant_id = $1', tg_table_schema)
        into fence using tenant::uuid;
    if fence is not null and fence is distinct from nullif(current_setting('app.placement_epoch', true), '')::bigint then
        raise exception 'tenant % no longer lives in this placement; resolve it again', tenant using errcode = 'BH002';
    end if;
    return null;
end
$$;
