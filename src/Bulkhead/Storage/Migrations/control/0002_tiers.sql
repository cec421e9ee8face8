-- Servers, tenant lifecycle and online moves.

-- Registered PostgreSQL servers for the database tier. No credentials are stored: every server runs
-- the same two roles, and their passwords come from the configured owner and runtime connections.
create table control.servers (
    name       text primary key check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    host       text not null,
    port       integer not null check (port between 1 and 65535),
    created_at timestamptz not null default now()
);

alter table control.tenants drop constraint tenants_status_check;
alter table control.tenants add constraint tenants_status_check
    check (status in ('provisioning', 'active', 'suspended', 'deleted'));
alter table control.tenants add column deleted_at timestamptz;

-- One row per tenant being moved; it survives a crash so that a rerun knows what to finish.
create table control.moves (
    tenant_id     uuid primary key references control.tenants (id) on delete cascade,
    phase         text not null check (phase in ('copying', 'purging')),
    from_tier     text not null,
    from_server   text not null,
    from_database text,
    from_schema   text not null,
    to_tier       text not null,
    to_server     text not null,
    to_database   text,
    to_schema     text not null,
    started_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

-- What happened to tenants, kept after offboarding: no content, only facts and counts.
create table control.tenant_events (
    id         uuid primary key,
    tenant_id  uuid not null,
    slug       text not null,
    kind       text not null,
    detail     jsonb not null default '{}',
    at         timestamptz not null default now()
);
create index tenant_events_by_tenant on control.tenant_events (tenant_id, at);

grant select on control.servers, control.moves to bulkhead_app;
