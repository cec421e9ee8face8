-- The control plane: plans, tenants and where each tenant's rows live.
create table control.plans (
    name                text primary key,
    requests_per_minute integer check (requests_per_minute > 0),
    monthly_tokens      bigint check (monthly_tokens > 0),
    max_tokens          integer not null check (max_tokens > 0)
);

insert into control.plans (name, requests_per_minute, monthly_tokens, max_tokens) values
    ('basic', 100, 1000000, 1024),
    ('premium', 1000, 10000000, 4096),
    ('enterprise', null, null, 16384);

create table control.tenants (
    id         uuid primary key,
    slug       text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name       text not null check (length(name) between 1 and 200),
    plan       text not null references control.plans (name),
    status     text not null default 'active' check (status in ('active', 'suspended')),
    created_at timestamptz not null default now()
);

create table control.placements (
    tenant_id   uuid primary key references control.tenants (id) on delete cascade,
    tier        text not null check (tier in ('pooled', 'schema', 'database')),
    server      text not null default 'primary',
    database    text,
    schema_name text not null default 'app' check (schema_name ~ '^[a-z_][a-z0-9_]{0,62}$')
);

grant usage on schema control to bulkhead_app;
grant select on control.plans, control.tenants, control.placements to bulkhead_app;
