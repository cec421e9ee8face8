-- Tenant tables. Names are unqualified: the migrator runs this file with search_path set to the
-- placement's schema, so the same file builds the shared tables and every tenant schema.
create table users (
    tenant_id  uuid not null,
    id         uuid not null,
    sub        text not null check (length(sub) between 1 and 256),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, sub)
);

create table conversations (
    tenant_id  uuid not null,
    id         uuid not null,
    user_id    uuid not null,
    title      text not null check (length(title) <= 200),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);

-- The seed's query: one user's conversations, newest first (UUIDv7 ids sort by creation time).
create index conversations_by_user on conversations (tenant_id, user_id, id desc);

create table messages (
    tenant_id       uuid not null,
    id              uuid not null,
    conversation_id uuid not null,
    role            text not null check (role in ('user', 'assistant', 'system')),
    content         text not null,
    created_at      timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, conversation_id) references conversations (tenant_id, id) on delete cascade
);

create index messages_by_conversation on messages (tenant_id, conversation_id, id);

-- Row-level security, forced so that the owner is bound too, failing closed: no app.tenant_id,
-- no rows. The setting is read once per statement (an InitPlan), not once per row.
do $$
declare
    t text;
begin
    foreach t in array array['users', 'conversations', 'messages'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I for all
            using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
            with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))$p$, t);
        execute format('grant select, insert, update, delete on %I to bulkhead_app', t);
    end loop;
    execute format('grant usage on schema %I to bulkhead_app', current_schema());
end
$$;
