-- The cross-tenant probe check with a capped scan: the shared tables and at most max_placements schema
-- placements (other than the caller's own), a fresh random sample on every check, so one 404 costs a
-- bounded number of lookups however many schema tenants there are, and no placement is permanently out
-- of reach. The server also limits checks per principal and per id (Bulkhead.Host.Audit.ProbeBudget).
-- Otherwise as in 0030: it returns the alert's id or null, never the owning tenant or the row.
drop function audit_private.report_probe(uuid, text, text, uuid);

create function audit_private.report_probe(caller_tenant uuid, caller_sub text, resource_type text, resource_id uuid, max_placements integer default 100)
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
        union all
        (select s.schema_name
           from (select distinct p.schema_name from control.placements p join control.tenants t on t.id = p.tenant_id
                  where p.tier = 'schema' and p.database is null and t.status <> 'deleted' and p.tenant_id <> caller_tenant) s
          order by pg_catalog.random()
          limit greatest(coalesce(max_placements, 0), 0))
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

revoke all on function audit_private.report_probe(uuid, text, text, uuid, integer) from public;
grant execute on function audit_private.report_probe(uuid, text, text, uuid, integer) to bulkhead_app;
