-- Security alerts: cross-tenant probes, id enumeration, tokens for unknown or suspended tenants, one
-- sub active in several tenants. Control-plane rows (they name tenants, never content). The server
-- records and lists them as the runtime role.
create table control.alerts (
    id            uuid primary key,
    kind          text not null check (kind in ('cross_tenant_probe', 'id_enumeration', 'unknown_tenant', 'suspended_tenant', 'sub_in_several_tenants')),
    tenant_id     uuid,
    sub           text,
    target_tenant uuid,
    detail        jsonb not null default '{}',
    raised_at     timestamptz not null default now()
);
create index alerts_by_time on control.alerts (raised_at desc, id desc);

grant select, insert on control.alerts to bulkhead_app;

-- The cross-tenant probe check. A request missed an id (404); this function, owned by the migration
-- owner (who bypasses RLS), looks for that id in the shared tables and in every schema placement. When
-- another tenant owns it, it records a cross_tenant_probe alert and returns the alert's id; otherwise
-- null. It returns nothing else: not the owning tenant, not the row. The server calls it off the
-- request path, after the ordinary 404 has been sent, so the answer can never reach the caller.
-- Database placements live on other servers and are not searched (see docs/compliance.md).
create schema audit_private;
revoke all on schema audit_private from public;
grant usage on schema audit_private to bulkhead_app;

create function audit_private.report_probe(caller_tenant uuid, caller_sub text, resource_type text, resource_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
    tbl text;
    owner_tenant uuid;
    alert uuid;
    place record;
begin
    if caller_tenant is null or resource_id is null or caller_sub is null or length(caller_sub) > 256 then
        return null;
    end if;
    tbl := case resource_type when 'conversation' then 'conversations' when 'user' then 'users' else null end;
    if tbl is null then
        return null;
    end if;

    for place in
        select 'app' as schema_name
        union
        select p.schema_name from control.placements p join control.tenants t on t.id = p.tenant_id
         where p.tier = 'schema' and p.database is null and t.status <> 'deleted'
    loop
        if pg_catalog.to_regclass(pg_catalog.format('%I.%I', place.schema_name, tbl)) is null then
            continue;
        end if;
        execute pg_catalog.format('select tenant_id from %I.%I where id = $1 and tenant_id <> $2 limit 1', place.schema_name, tbl)
            into owner_tenant using resource_id, caller_tenant;
        exit when owner_tenant is not null;
    end loop;

    if owner_tenant is null then
        return null;
    end if;

    alert := pg_catalog.gen_random_uuid();
    insert into control.alerts (id, kind, tenant_id, sub, target_tenant, detail)
    values (alert, 'cross_tenant_probe', caller_tenant, caller_sub, owner_tenant,
            pg_catalog.jsonb_build_object('resource_type', resource_type, 'resource_id', resource_id));
    return alert;
end
$$;

revoke all on function audit_private.report_probe(uuid, text, text, uuid) from public;
grant execute on function audit_private.report_probe(uuid, text, text, uuid) to bulkhead_app;
