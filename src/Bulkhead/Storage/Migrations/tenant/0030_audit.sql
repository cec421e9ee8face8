-- The audit trail: one row per access to tenant data, written by the same statement or batch as the
-- access. Tenant data like any other (RLS applies), but append-only for the runtime role: it may
-- INSERT and SELECT, never UPDATE or DELETE. Each tenant's rows form a hash chain ordered by seq
-- (see Bulkhead.Audit.AuditChain for the exact bytes hashed); `./bulkhead audit verify` recomputes it.
create table audit_events (
    tenant_id      uuid not null,
    id             uuid not null,
    seq            bigint not null check (seq > 0),
    occurred_at    timestamptz not null,
    sub            text not null,
    role           text not null,
    token_id       text,
    action         text not null,
    resource_type  text,
    resource_id    text,
    status         integer,
    result_count   bigint,
    request_id     text,
    client_address text,
    prev_hash      bytea,
    hash           bytea not null check (length(hash) = 32),
    primary key (tenant_id, id),
    unique (tenant_id, seq)
);

-- The tenant admin's trail, newest first, filtered by user or action.
create index audit_events_by_sub on audit_events (tenant_id, sub, seq desc);
create index audit_events_by_action on audit_events (tenant_id, action, seq desc);

alter table audit_events enable row level security;
alter table audit_events force row level security;
create policy tenant_isolation on audit_events for all
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
grant select, insert on audit_events to bulkhead_app;
