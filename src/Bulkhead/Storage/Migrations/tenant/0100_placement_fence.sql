-- The placement fence: the one epoch at which this placement accepts a tenant's writes. The mover sets it
-- in the target before the switch and in the source at the switch (under the write lock), offboarding in
-- every placement it purges. A tenant without a row here has never been fenced in this placement. The
-- row is not tenant content: moves do not copy it and purges keep it, so that a request still holding
-- an old placement is refused there for good. The runtime role may only read it.
create table placement_fences (
    tenant_id uuid not null,
    epoch     bigint not null check (epoch >= 1),
    primary key (tenant_id)
);

alter table placement_fences enable row level security;
alter table placement_fences force row level security;
create policy tenant_isolation on placement_fences for all
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
grant select on placement_fences to bulkhead_app;

-- The write gate, now also fenced by epoch. First the shared lock (BH001 while a move or offboarding
-- holds it exclusively, which it does while it changes the fence), then the fence: a write whose
-- session carries another epoch than the placement's fence fails with BH002, and the caller resolves
-- the tenant again. The lookup runs as the caller, under row-level security, in the trigger's schema.
create or replace function tenant_write_gate() returns trigger
language plpgsql
set search_path = ''
as $$
declare
    tenant text := nullif(current_setting('app.tenant_id', true), '');
    fence bigint;
begin
    if tenant is null then
        return null;
    end if;
    if not pg_catalog.pg_try_advisory_xact_lock_shared(pg_catalog.hashtext('bulkhead.tenant'), pg_catalog.hashtext(tenant)) then
        raise exception 'tenant % is being moved; retry shortly', tenant using errcode = 'BH001';
    end if;
    execute pg_catalog.format('select f.epoch from %I.placement_fences f where f.tenant_id = $1', tg_table_schema)
        into fence using tenant::uuid;
    if fence is not null and fence is distinct from nullif(current_setting('app.placement_epoch', true), '')::bigint then
        raise exception 'tenant % no longer lives in this placement; resolve it again', tenant using errcode = 'BH002';
    end if;
    return null;
end
$$;
